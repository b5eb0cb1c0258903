if [ -e "$2" ] || [ -L "$2" ]; then echo "$1"; exit 0; fi; shift 2; exec "$@"
