# Shared by the stand-in's entrypoint, docker_init.sh, supervisorctl, python shim and HTTP handler.
CONFIG=/home/admin/conf/config.yaml
CONF_DIR=/home/ds/run/conf
MARKER=$CONF_DIR/.oms_initialized
STATE_DIR=/run/oms-supervisor
SUP_LOG_DIR=/home/admin/logs/supervisor
PROGRAMS="crond nginx oms_console oms_drc_cm oms_drc_supervisor sshd"
CERT=/etc/pki/nginx/oms_server.crt
KEY=/etc/pki/nginx/oms_server.key
REQUIRED_KEYS="oms_meta_host oms_meta_port oms_meta_user oms_meta_password drc_rm_db drc_cm_db drc_cm_heartbeat_db cm_url cm_location cm_nodes"

# Value of a top-level `key: value` line, outer quotes removed (empty when absent).
cfg_get() {
  awk -v k="$1" '
    index($0, k ":") == 1 {
      v = substr($0, length(k) + 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+#.*$/, "", v); sub(/[ \t\r]+$/, "", v)
      if (v ~ /^".*"$/ || v ~ /^'\''.*'\''$/) v = substr(v, 2, length(v) - 2)
      print v; exit
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
