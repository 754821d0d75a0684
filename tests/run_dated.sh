#!/usr/bin/env sh
# One run of the date-dependent suites: $1 = "<the world's instant or now>,<time zone>", then the
# pytest command.
# `make dates` calls it for each date of its matrix, two at a time; the output of a run is
# printed whole only when it fails.
set -u
at=${1%,*} zone=${1#*,}
shift
out=$(SWITCHBOARD_TEST_CLOCK="$at" TZ="$zone" "$@" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "dated suites at $at (TZ=$zone): $(echo "$out" | tail -1)"
else
  echo "$out"
  echo "dated suites FAILED at $at (TZ=$zone)"
fi
exit $rc
