awk -v p="$1" '$5 == p { found = 1 } END { print found ? "mounted" : "unmounted" }' /proc/self/mountinfo || exit 3
[ ! -d "$2" ] || echo dir
