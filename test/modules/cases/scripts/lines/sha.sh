sha256_of() {
  if [ "${2:-0}" -ge 8388608 ] && command -v openssl >/dev/null 2>&1; then sum_line=$(openssl dgst -sha256 -r < "$1"); else sum_line=$(sha256sum < "$1"); fi || return
  echo "${sum_line%% *}"
}
