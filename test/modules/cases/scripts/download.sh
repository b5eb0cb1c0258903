tool=$1 tmp=$2 timeout=$3 algo=$4
trap 'rm -f -- "$tmp"' EXIT
umask 077
#@ lines/sha.sh
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
fetch_to "$tmp" || exit
size=$(wc -c <"$tmp") && sum=$(sha256_of "$tmp" "$size") || exit 4
echo "$size"; echo "$sum"
if [ -n "$algo" ] && [ "$algo" != sha256 ]; then other=$("${algo}sum" <"$tmp") || exit 4; echo "${other%% *}"; fi
trap - EXIT
