path=$1 tmp=$2 want_sum=$3 mode=$4 owner=$5 group=$6 src=$7 size=$8 checksum=0
trap 'rm -f -- "$tmp"' EXIT
#@ lines/stat.sh
#@ lines/fields.sh
#@ lines/attrs.sh
#@ lines/stage.sh
#@ lines/replace.sh
replace
