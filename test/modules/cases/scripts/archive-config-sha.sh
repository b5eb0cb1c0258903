set -e; tar -xOf "$1" "$2" | sha256sum
