name=$1; shift
for g do getent group "$g" >/dev/null || echo "nogroup:$g"; done
p=$(getent passwd "$name") || exit 0
echo "passwd:$p"
echo "gname:$(getent group "$(echo "$p" | cut -d: -f4)" | cut -d: -f1)"
echo "groups:$(id -Gn "$name")"
echo "shadow:$(getent shadow "$name" | cut -d: -f2,8)"
