"""The agent desk: agents and roles (`accounts`), their sessions (`session`), the queue as the
desk shows it (`queue`), presence (`presence`), the live stream (`stream`), the context beside
the transcript (`context`), suggested replies (`suggestion`) and the helpdesk bridge (`bridge`).
Routes: api/routes/console.py and api/routes/desk.py."""
