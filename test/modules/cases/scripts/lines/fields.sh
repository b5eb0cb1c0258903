if [ "$kind" != absent ]; then set -f; IFS=/; set -- $stat_line; unset IFS; old_mode=000$2; old_mode=${old_mode#"${old_mode%????}"}; old_user=$3 old_group=$4 old_uid=$5 old_gid=$6; fi
