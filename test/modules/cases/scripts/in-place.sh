path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 keep=$7 src=$8 size=$9
trap 'rm -f -- "$tmp" "$keep"' EXIT
trap '' HUP INT TERM
#@ lines/sha.sh
#@ lines/attrs.sh
#@ lines/stage.sh
reason() { echo "${1##*: }"; }
fail() { echo "$(reason "$2"); the file is unchanged" >&2; exit "$1"; }
stage
if ! err=$(cat -- "$path" 2>&1 >"$keep") || ! old_sum=$(sha256_of "$path") || [ "$(sha256_of "$keep")" != "$old_sum" ]; then
  fail 4 "cannot keep a copy of the old content first${err:+ ($(reason "$err"))}"
fi
why=
if ! err=$(cat -- "$tmp" 2>&1 >"$path"); then why=$(reason "${err:-write failed}")
else
  sync -- "$path" 2>/dev/null
  if [ "$(sha256_of "$path" "$size")" != "$want_sum" ]; then why="it does not read back as written"
  elif ! err=$(set_attrs "$path" "$mode" "$owner" "$group" 2>&1); then why=$err
  else exit 0
  fi
fi
if [ "$(sha256_of "$path")" = "$old_sum" ]; then echo "$why; the file is unchanged" >&2; exit 4; fi
if cat -- "$keep" >"$path" 2>/dev/null && [ "$(sha256_of "$path")" = "$old_sum" ]; then
  echo "$why; its previous content was put back unchanged" >&2; exit 4
fi
trap 'rm -f -- "$tmp"' EXIT
echo "$why; its previous content could not be put back either: a copy of it is kept in $keep" >&2
exit 6
