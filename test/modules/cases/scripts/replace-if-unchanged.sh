path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 size=$7 old_sum=$8 src= checksum=1
trap 'rm -f -- "$tmp"' EXIT
#@ lines/stat.sh
#@ lines/fields.sh
#@ lines/attrs.sh
#@ lines/stage.sh
#@ lines/replace.sh
if [ "$old_sum" = absent ]; then found=$kind; else found=$sum; fi
[ "$found" = "$old_sum" ] || fail 6 "$path changed since it was read; nothing was written, run the task again"
replace
