path=$1 checksum=1 want_sum=$2 mode=$3 owner=$4 group=$5 tmp=$6 src= size=
#@ lines/stat.sh
#@ lines/fields.sh
#@ lines/attrs.sh
#@ lines/stage.sh
#@ lines/replace.sh
if [ "$kind" = absent ] || { [ "$kind" = file ] && [ "$sum" != "$want_sum" ]; }; then replace; fi
[ "$kind" = file ] || exit 0
#@ lines/attr-fix.sh
