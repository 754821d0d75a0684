#!/usr/bin/env bash
# What an operator does on a fresh machine: `pip install .` into an empty venv (the runtime
# dependencies only, as pinned in pyproject.toml), `pip check`, then `switchboard serve` on the
# embedded defaults until /readyz answers. Run by `make test` (target install-check).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)
"$python" -m venv "$work/venv"
# a copy of the sources, so that the build leaves nothing (build/, *.egg-info) in the checkout
mkdir "$work/src"
tar --exclude=./.venv --exclude=./.git --exclude=./var --exclude=./build --exclude='*.egg-info' \
  --exclude=__pycache__ -cf - . | tar -xf - -C "$work/src"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work/src" >"$work/pip.log" 2>&1 \
  || { tail -20 "$work/pip.log"; echo "install-check: pip install . failed"; exit 1; }
"$work/venv/bin/python" -m pip check
if "$work/venv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "install-check: a development tool (pytest) came with the runtime install"; exit 1
fi
port=$("$work/venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
(cd "$work" && exec env -u SWITCHBOARD_CLOCK_START SWITCHBOARD_DATA_DIR="$work/var" \
  "$work/venv/bin/switchboard" serve --port "$port" >"$work/serve.log" 2>&1) &
server=$!
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    echo "install-check: pip install . + pip check + switchboard serve ready in $(( $(date +%s) - started )) s"
    exit 0
  fi
  if ! kill -0 "$server" 2>/dev/null; then break; fi
  sleep 0.5
done
tail -30 "$work/serve.log"
echo "install-check: switchboard serve did not become ready"
exit 1
