# Shared by the stand-in's entrypoint, docker_init.sh, supervisorctl, python shim and HTTP handler.
CONFIG=/home/admin/conf/config.yaml
CONF_DIR=/home/ds/run/conf
MARKER=$CONF_DIR/.oms_initialized
STATE_DIR=/run/oms-supervisor
# Lab only: an image derived from the stand-in (a newer release) carries its version here; docker_init.sh then writes it to the MetaDB.
STANDIN_VERSION_FILE=/home/admin/standin/VERSION
SUP_LOG_DIR=/home/admin/logs/supervisor
PROGRAMS="crond nginx oms_console oms_drc_cm oms_drc_supervisor sshd"
CERT=/etc/pki/nginx/oms_server.crt
KEY=/etc/pki/nginx/oms_server.key
REQUIRED_KEYS="oms_meta_host oms_meta_port oms_meta_user oms_meta_password drc_rm_db drc_cm_db drc_cm_heartbeat_db cm_url cm_location cm_nodes"

# Value of a top-level `key: value` line as YAML reads it: "double" (escapes), 'single' (''), or plain
# (a ` #` starts a comment); plain null/~ is empty. Exit 2 with the reason on stderr when a quote is broken.
cfg_get() {
  awk -v k="$1" '
    function hexval(s,   i, c, n) {
      n = 0
      for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", tolower(substr(s, i, 1)))
        if (c == 0) return -1
        n = n * 16 + c - 1
      }
      return n
    }
    function utf8(n) {
      if (n < 128) return sprintf("%c", n)
      if (n < 2048) return sprintf("%c%c", 192 + int(n / 64), 128 + n % 64)
      if (n < 65536) return sprintf("%c%c%c", 224 + int(n / 4096), 128 + int(n / 64) % 64, 128 + n % 64)
      return sprintf("%c%c%c%c", 240 + int(n / 262144), 128 + int(n / 4096) % 64, 128 + int(n / 64) % 64, 128 + n % 64)
    }
    function fail(why) { printf "%s: %s\n", k, why > "/dev/stderr"; exit 2 }
    function rest(s) { if (s !~ /^([ \t]+(#.*)?)?$/) fail("text after the closing quote") }
    function dquoted(v,   i, c, out, e, len, n, simple) {
      simple["0"] = 0; simple["a"] = 7; simple["b"] = 8; simple["t"] = 9; simple["\t"] = 9; simple["n"] = 10
      simple["v"] = 11; simple["f"] = 12; simple["r"] = 13; simple["e"] = 27; simple[" "] = 32
      simple["\""] = 34; simple["/"] = 47; simple["\\"] = 92; simple["N"] = 133; simple["_"] = 160
      simple["L"] = 8232; simple["P"] = 8233
      out = ""
      for (i = 2; i <= length(v); i++) {
        c = substr(v, i, 1)
        if (c == "\"") { rest(substr(v, i + 1)); return out }
        if (c != "\\") { out = out c; continue }
        e = substr(v, ++i, 1)
        if (e in simple) { out = out utf8(simple[e]); continue }
        len = e == "x" ? 2 : e == "u" ? 4 : e == "U" ? 8 : 0
        if (len == 0) fail("unknown escape \\" e " in a double-quoted value")
        n = hexval(substr(v, i + 1, len))
        if (n < 0 || length(substr(v, i + 1, len)) < len) fail("bad escape \\" e substr(v, i + 1, len) " in a double-quoted value")
        out = out utf8(n); i += len
      }
      fail("double-quoted value has no closing quote")
    }
    function squoted(v,   i, c, out) {
      out = ""
      for (i = 2; i <= length(v); i++) {
        c = substr(v, i, 1)
        if (c != "'\''") { out = out c; continue }
        if (substr(v, i + 1, 1) == "'\''") { out = out c; i++; continue }
        rest(substr(v, i + 1)); return out
      }
      fail("single-quoted value has no closing quote")
    }
    index($0, k ":") == 1 {
      v = substr($0, length(k) + 2); sub(/\r$/, "", v); sub(/^[ \t]+/, "", v)
      if (substr(v, 1, 1) == "\"") v = dquoted(v)
      else if (substr(v, 1, 1) == "'\''") v = squoted(v)
      else {
        sub(/^#.*$/, "", v); sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v)
        if (v == "null" || v == "~" || v == "Null" || v == "NULL") v = ""
      }
      printf "%s\n", v; exit
    }' "${2:-$CONFIG}"
}

# True when the key is present at top level.
cfg_has() {
  grep -q "^$1:" "${2:-$CONFIG}"
}

# cm_nodes entries, one per line (block list `- ip` or flow list `[a, b]`).
cfg_nodes() {
  awk '
    /^cm_nodes:/ {
      v = substr($0, 10); gsub(/[ \t\r"'\'']/, "", v); gsub(/\[/, "", v); gsub(/\]/, "", v)
      if (v != "") { n = split(v, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") print a[i]; exit }
      inlist = 1; next
    }
    inlist && /^[ \t]*-/ { v = $0; sub(/^[ \t]*-[ \t]*/, "", v); gsub(/["'\'' \t\r]/, "", v); print v; next }
    inlist && /^[ \t]*(#.*)?$/ { next }
    inlist { exit }' "${1:-$CONFIG}"
}

# Stand-in knobs: a config key wins over the environment variable.
knob() {
  v=$(cfg_get "$1" 2>/dev/null)
  [ -n "$v" ] && { echo "$v"; return; }
  eval "echo \"\${$2:-$3}\""
}

https_mode() {
  [ -s "$CERT" ] && [ -s "$KEY" ]
}

# Pid of the program when it runs (not a zombie), else nothing.
live_pid() {
  [ -f "$STATE_DIR/$1.pid" ] || return 1
  p=$(cat "$STATE_DIR/$1.pid")
  [ -r "/proc/$p/stat" ] || return 1
  s=$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f1)
  [ "$s" != Z ] && [ "$s" != X ] || return 1
  echo "$p"
}

# The /oms/health answer's data: healthy once the node was initialised and the three OMS components run.
health_data() {
  healthy=true
  [ -f "$MARKER" ] && init=true || { init=false; healthy=false; }
  comps=
  for prog in oms_console oms_drc_cm oms_drc_supervisor; do
    if live_pid "$prog" >/dev/null; then st=RUNNING; else st=STOPPED; healthy=false; fi
    comps="$comps${comps:+,}{\"name\":\"$prog\",\"status\":\"$st\"}"
  done
  printf '{"healthy":%s,"initialized":%s,"components":[%s],"node":"%s"}' "$healthy" "$init" "$comps" "${OMS_HOST_IP:-unknown}"
}
