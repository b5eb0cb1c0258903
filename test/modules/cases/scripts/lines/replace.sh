fail() { echo "$2" >&2; exit "$1"; }
replace() {
  trap 'rm -f -- "$tmp"' EXIT
  [ "$kind" != dir ] || fail 4 "expected a file, got a folder"
  stage
  [ "$kind" != file ] || set_attrs "$tmp" "" "${owner:-$old_uid}" "${group:-$old_gid}" 2>/dev/null
  [ -n "$mode" ] || { [ "$kind" = file ] && mode=$old_mode; } || mode=0644
  set_attrs "$tmp" "$mode" "$owner" "$group" || exit 4
  mv -fT -- "$tmp" "$path" || exit 4
  trap - EXIT
  exit 0
}
