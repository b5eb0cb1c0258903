k=absent
if [ -e "$p" ] || [ -L "$p" ]; then
  if st=$(stat -c '%f/%a/%U/%G/%u/%g/%s' -- "$p"); then
    echo "$st"
    case $(( 0x${st%%/*} & 61440 )) in 16384) k=dir ;; 32768) k=file ;; *) k=other ;; esac
  elif [ -e "$p" ] || [ -L "$p" ]; then exit 3
  fi
fi
[ "$k" != absent ] || echo absent
s=
if [ "$k" = file ] && [ "$c" = 1 ]; then
  if [ "${st##*/}" -ge 8388608 ] && command -v openssl >/dev/null 2>&1; then s=$(openssl dgst -sha256 -r < "$p"); else s=$(sha256sum < "$p"); fi
  s=${s%% *}
  echo "$s"
fi
