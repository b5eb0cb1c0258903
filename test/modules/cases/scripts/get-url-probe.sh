dest=$1 name=$2 algo=$3 checksum=1
if command -v curl >/dev/null 2>&1; then echo curl; elif command -v wget >/dev/null 2>&1; then echo wget; else echo none; fi
path=$dest; if [ -d "$dest" ]; then path=${dest%/}/$name; fi
echo "$path"
folder=${path%/*}; [ "$folder" != "$path" ] || folder=.; if [ -d "${folder:-/}" ]; then echo folder; else echo no-folder; fi
#@ lines/stat.sh
if [ "$kind" = file ] && [ -n "$algo" ] && [ "$algo" != sha256 ]; then other=$("${algo}sum" <"$path") || exit 3; echo "${other%% *}"; fi
