#!/bin/sh
# Start a local Prefect server on 127.0.0.1, register and serve cueflow's deployments, and open the UI.
# Ctrl-C stops both. Arguments go to `cueflow serve` (e.g. --input-root DIR --output-root DIR --with-show).
# Usage: PORT=4200 deployments/local.sh --input-root ../shared/data/scripts --output-root out/served
set -eu
PORT=${PORT:-4200}
BIN=${BIN:-.venv/bin}
UI="http://127.0.0.1:$PORT"
export PREFECT_API_URL="$UI/api"

# The server gets its own session, so Ctrl-C reaches `cueflow serve` first: serve pauses its deployments through
# the server as it stops (it waits for a server that is already gone), and only then is the server stopped.
setsid "$BIN/cueflow" server --port "$PORT" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
until "$BIN/python" -c 'import sys, httpx; httpx.get(sys.argv[1], timeout=2).raise_for_status()' "$PREFECT_API_URL/health" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { echo "cueflow: the Prefect server did not start" >&2; exit 1; }
    sleep 0.5
done
echo "cueflow: UI at $UI; trigger a run with:" >&2
echo "  PREFECT_API_URL=$PREFECT_API_URL $BIN/prefect deployment run 'lighting-pipeline/on-demand' -p script_path='\"plays/macbeth.txt\"' --watch" >&2
if command -v xdg-open >/dev/null 2>&1; then xdg-open "$UI" >/dev/null 2>&1 || true; fi
"$BIN/cueflow" serve "$@" || true
