#!/usr/bin/env bash
# Installs what the lab (network-namespace test hosts) needs on a fresh Debian machine, plus any packages
# named as arguments. Idempotent. ansible-core: the facts lab test compares omsrun's facts with Ansible's setup module.
set -euo pipefail
PKGS=(openssh-server openssh-client docker.io iproute2 busybox-static haproxy sudo openssl
  mariadb-server mariadb-client procps psmisc util-linux kmod socat curl wget git unzip zip xz-utils bzip2 influxdb debootstrap systemd-container dpkg-dev ansible-core "$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "lab-deps: all present"
  exit 0
fi
echo "lab-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting system-wide services: the lab starts its own per host.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "lab-deps: done"
