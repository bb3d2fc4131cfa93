#!/bin/sh
# System libraries Reviewer needs beyond PyPI: Qt's runtime libraries (PySide6 wheels link them), the xcb
# libraries Qt's X11 platform plugin loads (without them `reviewer gui` cannot open a window on a Linux
# desktop: check with ldd on PySide6/Qt/plugins/platforms/libqxcb.so and Qt/lib/libQt6XcbQpa.so.6),
# tesseract for OCR of scans and images, poppler-utils for the production leak tests, and Xvfb with xwd
# for CI's screenshot of the app under a real X server, and the PostgreSQL server the tests of shared cases
# start a throwaway instance of (tests/postgres_server.py). Installs what is missing when run as root on
# Debian/Ubuntu; elsewhere it says what to install and carries on.
set -u
packages="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-util1 libxcb-xfixes0
  tesseract-ocr tesseract-ocr-eng poppler-utils xvfb xauth x11-apps postgresql"
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
