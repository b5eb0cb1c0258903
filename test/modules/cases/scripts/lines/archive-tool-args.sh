n=$# i=0 after=0
while [ "$i" -lt "$n" ]; do
  arg=$1; shift; i=$((i + 1))
  if [ "$after" = 0 ] && [ "$arg" = --omsrun-excludes ]; then
    after=1; [ "$kind" = tar ] || { set -- "$@" "$src"; [ "$i" -ge "$n" ] || set -- "$@" -x; }
  elif [ "$after" = 1 ] && [ "$kind" = tar ]; then set -- "$@" "--exclude=$arg"
  else set -- "$@" "$arg"; fi
done
