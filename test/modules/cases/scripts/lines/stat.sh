#@ lines/sha.sh
kind=absent
if [ -e "$path" ] || [ -L "$path" ]; then
  if stat_line=$(stat -c '%f/%a/%U/%G/%u/%g/%s' -- "$path"); then
    echo "$stat_line"
    case $(( 0x${stat_line%%/*} & 61440 )) in 16384) kind=dir ;; 32768) kind=file ;; *) kind=other ;; esac
  elif [ -e "$path" ] || [ -L "$path" ]; then exit 3
  fi
fi
[ "$kind" != absent ] || echo absent
sum=
if [ "$kind" = file ] && [ "$checksum" = 1 ]; then
  sum=$(sha256_of "$path" "${stat_line##*/}")
  echo "$sum"
fi
