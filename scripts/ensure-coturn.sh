#!/usr/bin/env bash
# Install Debian's coturn (the TURN server of the call tests, decision 0074) if it is missing
# (idempotent). The tests start their own turnserver on a free port; nothing runs as a service.
set -euo pipefail
if command -v turnserver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null
else
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null
fi
turnserver --version
