#!/bin/sh
# System libraries Reviewer needs beyond PyPI: Qt's runtime libraries (PySide6 wheels link them),
# tesseract for OCR of scans and images, poppler-utils for the production leak tests, Xvfb for
# screenshots under a real X server. Installs what is missing when run as root on Debian/Ubuntu;
# elsewhere it says what to install and carries on (OCR is optional; Qt's libraries usually present).
set -u
packages="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  tesseract-ocr tesseract-ocr-eng poppler-utils"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Note: these system packages are missing:$missing"
  echo "Install them with your package manager (e.g. sudo apt-get install$missing)."
fi
exit 0
