
s() { printf '\n@@omsrun-fact %s\n' "$1"; }
s uname; uname -s; uname -n; uname -r; uname -v; uname -m
s fqdn; a=$(getent hosts "$(uname -n)" 2>/dev/null | awk '{ print $1; exit }')
[ -n "$a" ] && getent hosts "$a" 2>/dev/null | head -n 1 || echo; hostname -f 2>/dev/null || uname -n
s os-release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
s debian_version; cat /etc/debian_version 2>/dev/null
s redhat-release; cat /etc/redhat-release 2>/dev/null || cat /etc/system-release 2>/dev/null
s alpine-release; cat /etc/alpine-release 2>/dev/null
s meminfo; grep -E '^(MemTotal|MemFree|SwapTotal|SwapFree):' /proc/meminfo 2>/dev/null
s cpuinfo; grep -E '^(processor|vendor_id|physical id|core id|cpu cores|model name)[[:space:]]*:' /proc/cpuinfo 2>/dev/null
s nproc; nproc 2>/dev/null
if command -v ip >/dev/null 2>&1; then
  s route; ip -4 route show default 2>/dev/null
  s addr; ip -o -4 addr show 2>/dev/null
  s link; ip -o link show 2>/dev/null
else
  s proc-route; cat /proc/net/route 2>/dev/null
fi
s mounts; cat /proc/mounts 2>/dev/null
set --
while read -r dev mnt fs rest; do
  case "$fs" in none) continue ;; esac
  case "$dev" in /*|*:/*) case "$mnt" in *\\*) ;; *) set -- "$@" "$mnt" ;; esac ;; esac
done </proc/mounts
if [ $# -gt 0 ]; then
  s df; df -P -k "$@" 2>/dev/null
  s df-inodes; df -P -i "$@" 2>/dev/null
fi
s id; id -un; id -u; id -g
s passwd; grep "^$(id -un):" /etc/passwd 2>/dev/null
s date; date '+%Y|%m|%A|%w|%W|%d|%H|%M|%S|%s|%Z|%z|%N'
s pid1; cat /proc/1/comm 2>/dev/null
s init; [ -d /run/systemd/system ] && echo systemd-run; command -v initctl >/dev/null 2>&1 && [ -d /etc/init ] && echo upstart
[ -e /sbin/openrc ] && echo openrc; [ -d /etc/init.d ] && echo init.d; [ -e /run/ostree-booted ] && echo ostree
s pkg; for p in /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi /usr/bin/pacman /bin/opkg /sbin/apk /usr/bin/emerge /usr/bin/xbps-install /usr/bin/microdnf /usr/bin/rpm; do [ -e "$p" ] && echo "$p"; done
[ -L /usr/bin/dnf ] && echo "dnf->$(readlink /usr/bin/dnf)"
s env; cat /proc/$$/environ 2>/dev/null || env
s end
exit 0

