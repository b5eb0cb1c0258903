dest=$1 new=$2 want=$3 mode=$4 owner=$5 keep=$6 stdin=$7
trap 'rm -f -- "$new" "$keep"' EXIT
trap '' HUP INT TERM
umask 077
sum() { out=$(sha256sum < "$1") && echo "${out%% *}"; }
reason() { echo "${1##*: }"; }
if [ "$stdin" = 1 ] && ! err=$(cat 2>&1 >"$new"); then echo "$(reason "$err"); the file is unchanged" >&2; exit 4; fi
got=$(sum "$new") || exit 4
[ "$got" = "$want" ] || { echo "the new content arrived incomplete (sha256 $got, expected $want); the file is unchanged" >&2; exit 5; }
if ! err=$(cat -- "$dest" 2>&1 >"$keep") || ! old=$(sum "$dest") || [ "$(sum "$keep")" != "$old" ]; then
  echo "cannot keep a copy of the old content first${err:+ ($(reason "$err"))}; the file is unchanged" >&2; exit 4
fi
fail=
if ! err=$(cat -- "$new" 2>&1 >"$dest"); then fail=$(reason "${err:-write failed}")
else
  sync -- "$dest" 2>/dev/null
  if [ "$(sum "$dest")" != "$want" ]; then fail="it does not read back as written"
  elif [ -n "$owner" ] && ! err=$(chown -h "$owner" -- "$dest" 2>&1); then fail=$err
  elif [ -n "$mode" ] && ! err=$(chmod "$mode" -- "$dest" 2>&1); then fail=$err
  else exit 0
  fi
fi
if [ "$(sum "$dest")" = "$old" ]; then echo "$fail; the file is unchanged" >&2; exit 4; fi
if cat -- "$keep" >"$dest" 2>/dev/null && [ "$(sum "$dest")" = "$old" ]; then
  echo "$fail; its previous content was put back unchanged" >&2; exit 4
fi
trap 'rm -f -- "$new"' EXIT
echo "$fail; its previous content could not be put back either: a copy of it is kept in $keep" >&2
exit 6
