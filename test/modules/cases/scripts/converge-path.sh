p=$1 c=0 want=$2 m=$3 o=$4 g=$5
#@ lines/stat.sh
#@ lines/fields.sh
if [ "$k" = absent ]; then
  case $want in directory) mkdir -p -- "$p" ;; touch) touch -- "$p" ;; *) exit 0 ;; esac || exit 4
  if [ -n "$o$g" ]; then chown -h "$o${g:+:$g}" -- "$p" || exit 4; fi
  if [ -n "$m" ]; then chmod "$m" -- "$p" || exit 4; fi
  exit 0
fi
case $want in
  absent) rm -rf -- "$p" || exit 4; exit 0 ;;
  directory) [ "$k" = dir ] || exit 0 ;;
  file|touch) [ "$k" != dir ] || exit 0 ;;
esac
#@ lines/attr-fix.sh
