#!/usr/bin/env bash
# Installs what `npm run bench` needs: the lab, plus Ansible to compare against and GNU time. Not part of CI's run.
set -euo pipefail
exec bash "$(dirname "$0")/lab-deps.sh" ansible-core time
