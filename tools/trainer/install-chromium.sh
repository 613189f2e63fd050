#!/usr/bin/env bash
# Installs Debian's headless-capable chromium at /usr/bin/chromium for the run-report browser test
# (packages/trainer/test/report/render-report.browser.test.ts). That test is skipped only where it is absent.
# Usage (CI, as root or with sudo): tools/trainer/install-chromium.sh
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-chromium: need root or sudo to apt-get install chromium" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-dejavu-core gives the report's fallback sans and monospace fonts.
$SUDO apt-get install -y -qq chromium fonts-dejavu-core
/usr/bin/chromium --version
