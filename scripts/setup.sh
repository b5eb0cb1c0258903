#!/usr/bin/env bash
# Sets up a fresh Debian machine for omsrun development: system packages for the lab, then npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash .ci/lab-deps.sh
else
  echo "setup: not root (or no apt-get): skipping lab packages; lab tests will be skipped" >&2
fi
# npm install, not npm ci: npm 11 writes lock files without other platforms' optional packages
# (rollup's) and then npm ci rejects them; install still follows the lock file's versions.
npm install --no-audit --no-fund
