#!/usr/bin/env bash
# Install what Qt (PySide6, the desktop client) needs from Debian if it is missing, idempotently:
# the libraries its offscreen platform loads, fonts with Chinese glyphs and emoji (decision 0077).
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-noto-cjk
  fonts-noto-color-emoji)
missing=()
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
for package in "${packages[@]}"; do
  # Debian 13 renamed GLib's library package for 64-bit time (libglib2.0-0t64).
  installed "$package" || installed "${package}t64" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
