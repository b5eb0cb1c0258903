name=$1; alt=$2; builtin=/lib/modules/$(uname -r)/modules.builtin
if [ -r /proc/modules ] && grep -q "^$alt " /proc/modules; then echo loaded
elif [ -r "$builtin" ] && grep -Eq "/($name|$alt)\.ko(\.[a-z]+)?\$" "$builtin"; then echo builtin
else echo unloaded; fi
echo '@@ load'; grep -lE "^ *$name *([#;].*)?\$" /etc/modules-load.d/*.conf 2>/dev/null
echo '@@ options'; grep -lE "^options +$name( |\$)" /etc/modprobe.d/*.conf 2>/dev/null
exit 0
