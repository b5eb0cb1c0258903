if command -v nc >/dev/null 2>&1; then exec nc -z -w "$3" "$1" "$2"; fi
if command -v bash >/dev/null 2>&1; then exec timeout "$3" bash -c 'exec 3<>"/dev/tcp/$1/$2"' bash "$1" "$2"; fi
exit 97
