p=$1 follow=$2 alg=$3 mime=$4 attrs=$5 L=
[ "$follow" = 1 ] && L=-L
if ! st=$(stat $L -c '%f|%a|%U|%G|%u|%g|%s|%i|%d|%h|%X|%Y|%Z|%b|%B|%t|%T' -- "$p" 2>/dev/null); then
  if [ -L "$p" ] && [ -z "$L" ] || [ -e "$p" ]; then stat $L -- "$p" >/dev/null; exit 3; fi
  echo absent; exit 0
fi
echo "stat=$st"
if [ -z "$L" ] && [ -L "$p" ]; then echo "lnk_target=$(readlink -- "$p")"; echo "lnk_source=$(readlink -f -- "$p")"; fi
r=0 w=0 x=0; [ -r "$p" ] && r=1; [ -w "$p" ] && w=1; [ -x "$p" ] && x=1; echo "access=$r$w$x"
if [ -n "$alg" ] && [ -f "$p" ] && [ -r "$p" ] && { [ -n "$L" ] || [ ! -L "$p" ]; }; then
  sum=$("${alg}sum" < "$p") || exit 4; echo "checksum=${sum%% *}"
fi
if [ "$mime" = 1 ] && command -v file >/dev/null 2>&1; then
  m=$(file $L -b --mime -- "$p" 2>/dev/null); c=; case "$m" in *"; charset="*) c=${m##*; charset=};; esac; echo "mimetype=${m%%;*}"; echo "charset=$c"
fi
if [ "$attrs" = 1 ] && a=$(lsattr -vd -- "$p" 2>/dev/null); then echo "lsattr=$a"; fi
