set -e
case $2 in rm) rm -rf -- "$1" ;; dir) mkdir -p -- "$1" ;; touch) touch -- "$1" ;; esac
[ -z "$4" ] || chown -h "$4" -- "$1"
[ -z "$3" ] || chmod "$3" -- "$1"
