#!/usr/bin/env bash
# Install Debian's Chromium and its headless shell for the browser tests if they are missing
# (idempotent). Most browser tests run in the shell; calls and notifications in the whole
# browser (decision 0079).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromium-headless-shell ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell >/dev/null
else
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell >/dev/null
fi
/usr/bin/chromium --version
