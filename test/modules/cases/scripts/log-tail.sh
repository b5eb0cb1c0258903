f=$(ls -td -- $1 2>/dev/null | head -n 1); [ -n "$f" ] && [ -f "$f" ] || exit 3; echo "$f"; tail -n "$2" -- "$f"
