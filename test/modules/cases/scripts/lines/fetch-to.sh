fetch_to() {
  if [ "$tool" = curl ]; then
    err=$(curl -fsSL --max-time "$timeout" --config - -o "$1" 2>&1 >&3) || { echo "${err#curl: }" >&2; return 6; }
  else
    rc_file=$(mktemp) || return 6
    IFS= read -r url; cat >"$rc_file"
    err=$(printf '%s\n' "$url" | WGETRC=$rc_file wget -nv -T "$timeout" -O "$1" -i - 2>&1 >&3) || { rm -f -- "$rc_file"; echo "$err" >&2; return 6; }
    rm -f -- "$rc_file"
  fi
} 3>&1
