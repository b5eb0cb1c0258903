path=$1 op=$2 mode=$3 owner=$4 group=$5
#@ lines/attrs.sh
case $op in rm) rm -rf -- "$path" ;; dir) mkdir -p -- "$path" ;; touch) touch -- "$path" ;; esac || exit
set_attrs "$path" "$mode" "$owner" "$group"
