p=$1 c=$2
#@ lines/stat.sh
