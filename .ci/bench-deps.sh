#!/usr/bin/env bash
# Installs what `npm run bench` compares against (Ansible) and measures with (GNU time). Not part of CI's run.
set -euo pipefail
PKGS=(ansible-core time openssh-client)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "bench-deps: all present"
  exit 0
fi
echo "bench-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "bench-deps: done"
