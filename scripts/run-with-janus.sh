#!/usr/bin/env bash
# `make run`: the server, with a Janus of its own for group calls when Janus is installed
# (scripts/ensure-janus.sh, decision 0078) and TIDINGS_JANUS_URL is not set already. Without
# Janus everything else works, and the client says group calls need it.
set -euo pipefail
if [ -n "${TIDINGS_JANUS_URL:-}" ] || ! command -v janus >/dev/null 2>&1; then
  exec "$@"
fi
dir="$(mktemp -d -t tidings-janus.XXXXXX)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
secret="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')"
.venv/bin/python -m tidings.janus_local --dir "$dir" --port "$port" --secret "$secret" \
  >"$dir/janus.log" 2>&1 &
janus_pid=$!
trap 'kill "$janus_pid" 2>/dev/null || true; wait "$janus_pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
echo "group calls: Janus on ws://127.0.0.1:$port (log: $dir/janus.log)"
export TIDINGS_JANUS_URL="ws://127.0.0.1:$port" TIDINGS_JANUS_API_SECRET="$secret"
"$@"
