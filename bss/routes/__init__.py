"""One router per TMF API; `common` holds the list/write plumbing they share."""
