p=$1 c=1 e=$2 m=$3 o=$4 g=$5 t=$6
#@ lines/stat.sh
#@ lines/fields.sh
if [ "$k" = absent ] || { [ "$k" = file ] && [ "$s" != "$e" ]; }; then
  dir=${p%/*}; [ "$dir" != "$p" ] || dir=.; [ -n "$dir" ] || dir=/
  [ -d "$dir" ] || { echo "the folder $dir does not exist" >&2; exit 4; }
  umask 077
  trap 'rm -f -- "$t"' EXIT
  cat > "$t" || exit 4
  n=$(sha256sum < "$t") || exit 4
  [ "${n%% *}" = "$e" ] || { echo "the content arrived incomplete (sha256 ${n%% *}, expected $e)" >&2; exit 5; }
  if [ -n "$o$g" ]; then chown "$o${g:+:$g}" -- "$t" || exit 4; fi
  if [ "$k" = file ]; then chown "${o:-$u}:${g:-$gi}" -- "$t" 2>/dev/null; fi
  [ -n "$m" ] || { [ "$k" = file ] && m=$a; } || m=0644
  chmod "$m" -- "$t" || exit 4
  mv -f -- "$t" "$p" || exit 4
  trap - EXIT
  exit 0
fi
[ "$k" = file ] || exit 0
#@ lines/attr-fix.sh
