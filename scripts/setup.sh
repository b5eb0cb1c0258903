#!/usr/bin/env bash
# Sets up a fresh Debian machine for omsrun development: system packages for the lab, then npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash .ci/lab-deps.sh
else
  echo "setup: not root (or no apt-get): skipping lab packages; lab tests will be skipped" >&2
fi
npm ci --no-audit --no-fund
