#!/bin/bash
# Stand-in /root/docker_init.sh: the five documented steps, banners and final line; log in /home/admin/logs.
. /home/admin/standin/oms-lib.sh
mkdir -p /home/admin/logs
LOG=/home/admin/logs/docker_init_$(date +%Y%m%d%H%M%S).log
LINE=$(printf '%195s' '' | tr ' ' '-')
PROGS="crond nginx oms_console oms_drc_cm oms_drc_supervisor sshd"

banner() {
  echo "$LINE"
  echo "# $1"
  echo "$LINE"
}

# Prints the command as the real script does, runs it, and stops the whole init on failure.
step() {
  title=$1
  shift
  echo "$*"
  if ! "$@"; then
    echo "[ERROR] $title failed: '$*'"
    echo "【失败】初始化失败，详细日志: $LOG"
    return 1
  fi
}

pause() {
  s=$(knob standin_init_seconds OMS_STANDIN_INIT_SECONDS 3)
  usleep $((s * 1000000 / 5)) 2>/dev/null || sleep 1
}

run_init() {
  echo "[INFO] docker_init.sh started at $(date '+%Y-%m-%d %H:%M:%S') on OMS_HOST_IP=${OMS_HOST_IP:-<unset>}; log $LOG"
  banner "【步骤一】校验 config.yaml 配置文件"
  step "step 1" python -m omsflow.scripts.units.oms_cluster_config --check "$CONFIG" || return 1
  pause
  echo
  banner "【步骤二】创建 OMS 元信息库"
  step "step 2" python -m omsflow.scripts.units.oms_init_manager --init-db || return 1
  pause
  echo
  banner "【步骤三】创建 OMS 各组件的配置文件"
  step "step 3" python -m omsflow.scripts.units.oms_init_manager --init-config-file || return 1
  pause
  echo
  banner "【步骤四】重启 OMS 所有组件（大约需要两分钟，请耐心等待）"
  step "step 4" supervisorctl restart $PROGS || return 1
  pause
  echo "supervisorctl status $PROGS"
  supervisorctl status $PROGS
  step "step 4" supervisorctl status $PROGS || return 1
  echo
  banner "【步骤五】初始化 OMS 资源标签和资源组"
  step "step 5" python -m omsflow.scripts.units.oms_cluster_manager add_resource || return 1
  pause
  date '+%Y-%m-%d %H:%M:%S' >"$MARKER"
  echo
  banner "【结束】全部初始化步骤执行成功"
}

# Lab only: every start and end (exit code, or the signal that stopped it) goes to RUNS, so tests can prove two never overlapped.
RUNS=/home/admin/logs/standin_init_runs.log
now() { date '+%Y-%m-%d %H:%M:%S'; }
echo "start $$ $(now)" >>"$RUNS"
trap 'echo "end $$ TERM $(now)" >>"$RUNS"; exit 143' TERM
trap 'echo "end $$ INT $(now)" >>"$RUNS"; exit 130' INT
set -o pipefail
run_init 2>&1 | tee -a "$LOG"
rc=$?
echo "end $$ $rc $(now)" >>"$RUNS"
exit $rc
