fix_mode= fix_owner= fix_group=
[ -z "$mode" ] || [ "$mode" = "$old_mode" ] || fix_mode=$mode
if [ -n "$owner" ]; then case $owner in *[!0-9]*) [ "$owner" = "$old_user" ] ;; *) [ "$owner" = "$old_uid" ] ;; esac || fix_owner=$owner; fi
if [ -n "$group" ]; then case $group in *[!0-9]*) [ "$group" = "$old_group" ] ;; *) [ "$group" = "$old_gid" ] ;; esac || fix_group=$group; fi
set_attrs "$path" "$fix_mode" "$fix_owner" "$fix_group" || exit 4
