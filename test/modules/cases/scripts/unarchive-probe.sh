src=$1 dest=$2 mode=$3 owner=$4 group=$5; shift 5
fail() { echo "$2" >&2; exit "$1"; }
[ -d "$dest" ] || fail 4 "$dest is not a folder; unarchive needs an existing dest folder"
[ -f "$src" ] && [ -r "$src" ] || fail 4 "cannot read the archive $src"
if [ "$(head -c 2 -- "$src")" = PK ]; then kind=zip; else kind=tar; fi
#@ lines/archive-tool-args.sh
state=same
if [ "$kind" = zip ]; then
  command -v unzip >/dev/null 2>&1 || fail 7 "$src is a zip archive and the host has no unzip; install unzip (e.g. with apt or package)"
  list=$(unzip -Z1 "$@" 2>&1) || fail 5 "cannot list $src: $list"
  tmpd=$(mktemp -d "$dest/.omsrun-unzip-XXXXXX") || exit 4
  trap 'rm -rf -- "$tmpd"' EXIT
  err=$(unzip -qo "$@" -d "$tmpd" 2>&1) || fail 5 "cannot unpack $src: $err"
  found=$(cd "$tmpd" && find . -mindepth 1 \( -type d -printf "d %P\n" \) -o -printf "f %P\n") || exit 4
  while IFS= read -r entry; do
    rel=${entry#? }
    case $entry in
      "") ;;
      d*) [ -d "$dest/$rel" ] || state=differs ;;
      *) if [ -L "$tmpd/$rel" ]; then [ "$(readlink "$tmpd/$rel")" = "$(readlink "$dest/$rel" 2>/dev/null)" ] || state=differs
         else cmp -s -- "$tmpd/$rel" "$dest/$rel" || state=differs; fi ;;
    esac
  done <<EOF
$found
EOF
else
  list=$(tar -tf "$src" --show-transformed-names "$@" 2>&1) || fail 5 "cannot list $src: $list"
  skip="Uid differs|Gid differs|Mod time differs"; [ -z "$mode" ] || skip="$skip|Mode differs"
  diffs=$(LC_ALL=C tar -d -f "$src" -C "$dest" "$@" 2>&1 | grep -Ev -e ": ($skip)\$" -e "^tar: : Warning: Cannot stat")
  [ -z "$diffs" ] || state=differs
fi
if [ "$state" = same ] && [ -n "$mode$owner$group" ]; then
  while IFS= read -r rel; do
    case $rel in ""|/|.|./) continue ;; esac
    [ -e "$dest/$rel" ] || continue
    set -f; IFS=/; set -- $(stat -c '%a/%U/%G/%u/%g' -- "$dest/$rel"); unset IFS; set +f
    m=000$1; m=${m#"${m%????}"}
    { [ -z "$mode" ] || [ "$m" = "$mode" ]; } && { [ -z "$owner" ] || [ "$owner" = "$2" ] || [ "$owner" = "$4" ]; } && { [ -z "$group" ] || [ "$group" = "$3" ] || [ "$group" = "$5" ]; } || state=differs
  done <<EOF
$list
EOF
fi
echo "$kind"; echo "$state"; printf "%s\n" "$list"
