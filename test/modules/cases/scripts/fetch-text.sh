tool=$1 timeout=$2
#@ lines/fetch-to.sh
fetch_to -
