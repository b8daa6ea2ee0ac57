#!/usr/bin/env bash
# Debian packages the product and its tests need: Chromium for the browser
# tests, IPAex fonts embedded in every PDF, poppler-utils (pdftotext,
# pdftoppm), the Pango/HarfBuzz libraries WeasyPrint renders with, and a Java
# runtime for the Nu Html Checker of the HTML validity test.
# Extra packages may be named as arguments (`make bench` adds wrk).
set -euo pipefail
PACKAGES=(chromium fonts-ipaexfont-gothic fonts-ipaexfont-mincho poppler-utils
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 openjdk-17-jre-headless "$@")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
