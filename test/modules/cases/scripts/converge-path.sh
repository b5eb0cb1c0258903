path=$1 checksum=0 state=$2 mode=$3 owner=$4 group=$5
#@ lines/stat.sh
#@ lines/fields.sh
#@ lines/attrs.sh
if [ "$kind" = absent ]; then
  case $state in directory) mkdir -p -- "$path" ;; touch) touch -- "$path" ;; *) exit 0 ;; esac || exit 4
  set_attrs "$path" "$mode" "$owner" "$group" || exit 4
  exit 0
fi
case $state in
  absent) rm -rf -- "$path" || exit 4; exit 0 ;;
  directory) [ "$kind" = dir ] || exit 0 ;;
  file|touch) [ "$kind" != dir ] || exit 0 ;;
esac
#@ lines/attr-fix.sh
