if [ "$k" != absent ]; then set -f; IFS=/; set -- $st; unset IFS; a=000$2; a=${a#"${a%????}"}; U=$3 G=$4 u=$5 gi=$6; fi
