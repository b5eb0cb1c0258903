stage() {
  folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; [ -n "$folder" ] || folder=/
  [ -d "$folder" ] || fail 4 "the folder $folder does not exist"
  umask 077
  if [ "$src" != "$tmp" ] && ! err=$(cat -- "${src:--}" 2>&1 >"$tmp"); then fail 4 "$err"; fi
  err=$(sync -- "$tmp" 2>&1) || fail 4 "$err"
  got=$(sha256_of "$tmp" "$size") || fail 4 "cannot read $tmp back"
  [ "$got" = "$want_sum" ] || fail 5 "the content arrived incomplete (sha256 $got, expected $want_sum)"
}
