kind=$1 src=$2 dest=$3 mode=$4 owner=$5 group=$6; shift 6
#@ lines/attrs.sh
#@ lines/archive-tool-args.sh
if [ "$kind" = zip ]; then err=$(unzip -qo "$@" -d "$dest" 2>&1); else err=$(tar -xf "$src" -C "$dest" "$@" 2>&1); fi || { echo "$err" >&2; exit 5; }
[ -n "$mode$owner$group" ] || exit 0
list=$(if [ "$kind" = zip ]; then unzip -Z1 "$@"; else tar -tf "$src" --show-transformed-names "$@"; fi) || exit 5
while IFS= read -r rel; do
  case $rel in ""|/|.|./) continue ;; esac
  set_attrs "$dest/$rel" "$mode" "$owner" "$group" || exit 4
done <<EOF
$list
EOF
