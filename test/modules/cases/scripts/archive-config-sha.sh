set -e; t=$(mktemp); trap 'rm -f "$t"' EXIT; tar -xOf "$1" "$2" >"$t"; sha256sum <"$t"
