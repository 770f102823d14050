#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser journeys, fonts with Vietnamese
# glyphs for documents, gettext for the catalogue, poppler for looking at PDFs. Idempotent.
set -euo pipefail
packages=(chromium fonts-liberation2 gettext poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
