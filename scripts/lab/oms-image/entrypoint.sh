#!/bin/sh
# Stand-in supervisord: starts the programs an initialised node runs, stays in the foreground, stops them on TERM.
[ $# -gt 0 ] && exec "$@"
. /home/admin/standin/oms-lib.sh
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR" "$SUP_LOG_DIR" /home/ds/store /home/ds/run /etc/crontabs
echo "$(date '+%Y-%m-%d %H:%M:%S'),000 INFO supervisord started with pid $$ (oms-standin)"
supervisorctl start crond nginx sshd
if [ -f "$MARKER" ]; then
  echo "node initialised on $(cat "$MARKER"): starting the OMS components"
  supervisorctl start oms_drc_supervisor oms_drc_cm oms_console
else
  echo "node not initialised yet: run 'bash /root/docker_init.sh' (oms_* programs stay stopped)"
  echo "OMS service start successfully"
fi

shutdown() {
  supervisorctl stop $PROGRAMS >/dev/null 2>&1
  echo "supervisord stopped"
  exit 0
}
trap shutdown TERM INT
while :; do
  sleep 1 &
  wait $!
done
