co= cg=
if [ -n "$o" ]; then case $o in *[!0-9]*) [ "$o" = "$U" ] ;; *) [ "$o" = "$u" ] ;; esac || co=$o; fi
if [ -n "$g" ]; then case $g in *[!0-9]*) [ "$g" = "$G" ] ;; *) [ "$g" = "$gi" ] ;; esac || cg=$g; fi
if [ -n "$co$cg" ]; then chown -h "$co${cg:+:$cg}" -- "$p" || exit 4; fi
if [ -n "$m" ] && [ "$m" != "$a" ]; then chmod "$m" -- "$p" || exit 4; fi
