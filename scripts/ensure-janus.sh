#!/usr/bin/env bash
# Install Debian's Janus WebRTC server (the SFU of group calls, decision 0078) if it is missing
# (idempotent). Tests and `make run` start their own janus from a temp config dir on free ports;
# the Debian service is not used (it is stopped and disabled if the package started it).
set -euo pipefail
if command -v janus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=""
else
  SUDO="sudo"
fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends janus >/dev/null
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled janus >/dev/null 2>&1; then
  $SUDO systemctl disable --now janus >/dev/null 2>&1 || true
fi
dpkg-query -W janus
