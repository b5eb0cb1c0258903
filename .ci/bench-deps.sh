#!/usr/bin/env bash
# Installs what `npm run bench` needs: the lab, plus Ansible to compare against, python3-venv for pyinfra's venv (from ../shared/peers) and GNU time. Not part of CI's run.
set -euo pipefail
exec bash "$(dirname "$0")/lab-deps.sh" ansible-core python3-venv time
