path=$1 checksum=0
if [ -L "$path" ]; then path=$(readlink -f -- "$path") || exit 3; fi
echo "$path"
#@ lines/stat.sh
if [ "$kind" = absent ]; then folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; [ -d "${folder:-/}" ] || echo nofolder; fi
[ "$kind" != file ] || base64 -- "$path" || exit 4
