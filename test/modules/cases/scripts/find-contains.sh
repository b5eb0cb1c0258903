echo | grep -qP "" 2>/dev/null || { echo "contains needs grep -P (GNU grep with PCRE), which this host lacks" >&2; exit 2; }
xargs -0 -r grep -lZP -e "^(?:$1)" -- 2>/dev/null
rc=$?; [ "$rc" -eq 0 ] || [ "$rc" -eq 123 ]
