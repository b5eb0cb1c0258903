set_attrs() {
  if [ -n "$3$4" ]; then chown -h "$3${4:+:$4}" -- "$1" || return; fi
  if [ -n "$2" ]; then chmod "$2" -- "$1" || return; fi
}
