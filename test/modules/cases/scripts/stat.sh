path=$1 checksum=$2
#@ lines/stat.sh
