path=$1 src=$2 type=$3 force=$4 act=$5 tmp=$6 mode=$7 owner=$8 group=$9 checksum=0
#@ lines/stat.sh
#@ lines/fields.sh
#@ lines/attrs.sh
case $src in /*) abs=$src ;; *) case $path in */*) abs=${path%/*}/$src ;; *) abs=$src ;; esac ;; esac
cur=; [ ! -L "$path" ] || cur=$(readlink -- "$path")
verdict=create
if [ "$type" = link ]; then
  if [ -L "$path" ]; then [ "$cur" != "$src" ] || verdict=ok
  elif [ -d "$path" ]; then if [ -n "$(ls -A -- "$path")" ]; then verdict=fail:dir; elif [ "$force" != 1 ]; then verdict=fail:emptydir; fi
  elif [ -e "$path" ]; then [ "$force" = 1 ] || verdict=fail:file
  fi
  [ "$verdict" != create ] || [ -e "$abs" ] || [ "$force" = 1 ] || verdict=fail:nosrc
elif [ ! -e "$abs" ] || [ -d "$abs" ]; then verdict=fail:nosrc
elif [ -L "$path" ]; then :
elif [ -d "$path" ]; then verdict=fail:dir
elif [ -e "$path" ]; then if [ "$path" -ef "$abs" ]; then verdict=ok; elif [ "$force" != 1 ]; then verdict=fail:file; fi
fi
echo "$verdict"
echo "$cur"
case $act$verdict in 1ok) ;; 1create) ;; *) exit 0 ;; esac
if [ "$verdict" = create ]; then
  trap 'rm -f -- "$tmp"' EXIT
  if [ -d "$path" ] && [ ! -L "$path" ]; then rmdir -- "$path" || exit 4; fi
  if [ "$type" = link ]; then ln -s -- "$src" "$tmp" || exit 4; else ln -- "$abs" "$tmp" || exit 4; fi
  mv -fT -- "$tmp" "$path" || exit 4
  trap - EXIT
  set_attrs "$path" "$mode" "$owner" "$group" || exit 4
  exit 0
fi
#@ lines/attr-fix.sh
