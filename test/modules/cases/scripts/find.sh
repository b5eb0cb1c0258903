links=$1 maxdepth=$2; shift 2
printf '%s\0' "$(date +%s)"
for p; do
  if [ -d "$p" ]; then find "$links" "$p" -mindepth 1 ${maxdepth:+-maxdepth "$maxdepth"} -printf '%y\0%m\0%U\0%G\0%u\0%g\0%s\0%i\0%D\0%n\0%A@\0%T@\0%C@\0%p\0'
  else printf 'skip\0%s\0' "$p"; fi
done
exit 0
