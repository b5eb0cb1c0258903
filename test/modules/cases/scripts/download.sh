tool=$1 tmp=$2 timeout=$3 algo=$4
trap 'rm -f -- "$tmp"' EXIT
umask 077
#@ lines/sha.sh
#@ lines/fetch-to.sh
fetch_to "$tmp" || exit
size=$(wc -c <"$tmp") && sum=$(sha256_of "$tmp" "$size") || exit 4
echo "$size"; echo "$sum"
if [ -n "$algo" ] && [ "$algo" != sha256 ]; then other=$("${algo}sum" <"$tmp") || exit 4; echo "${other%% *}"; fi
trap - EXIT
