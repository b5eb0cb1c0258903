// The POSIX sh scripts behind single-flight docker_exec, and the argv that runs each in one `docker exec`.
import { createHash } from 'node:crypto';

/** Folder inside the container that holds one state folder per running single-flight command. */
export const FLIGHT_ROOT = '/tmp/omsrun-exec';

/** Prefix of the status lines the scripts write on stderr; the command's own output goes to stdout. */
export const FLIGHT_TAG = 'omsrun-exec:';

// Shared helpers. proc_start sets st to the start time (clock ticks, field 22 of /proc/PID/stat) of a live process,
// so a pid the kernel gave to another process since is not taken for ours.
const FUNCS = `
say() { printf '${FLIGHT_TAG} %s\\n' "$*" >&2; }
nap() { sleep 0.2 2>/dev/null || sleep 1; }
proc_start() {
  st=
  read -r st 2>/dev/null <"/proc/$1/stat" || return 1
  st=\${st##*)}
  set -f; set -- $st; set +f
  [ "$1" != Z ] && [ "$1" != X ] || return 1
  st=\${20}
}
alive() { [ -n "$1" ] && proc_start "$1" && [ "$st" = "$2" ]; }
group_alive() {
  group=$1
  for stat_file in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$stat_file" || continue
    line=\${line##*)}
    set -f; set -- $line; set +f
    [ "$3" = "$group" ] && [ "$1" != Z ] && [ "$1" != X ] && return 0
  done
  return 1
}
since() { cat "$1/started" 2>/dev/null || echo unknown; }
`;

// Runs detached under setsid (its own session and process group): records "PID START", runs the command with its
// output in DIR/out, then writes the exit code to DIR/rc. $1 = DIR, then the command.
export const RUNNER_SCRIPT = `${FUNCS}
dir=$1
shift
proc_start $$
printf '%s %s\\n' $$ "$st" >"$dir/pid.tmp" && mv -f "$dir/pid.tmp" "$dir/pid"
"$@" >"$dir/out" 2>&1 </dev/null
rc=$?
echo "$rc" >"$dir/rc.tmp" && mv -f "$dir/rc.tmp" "$dir/rc"
`;

// Starts the command unless a copy runs (then attaches to it) or an uncollected result waits (then reports it);
// then prints the output from the start until the exit code appears. $1 = runner script, $2 = DIR, then the command.
// Status lines: started|attached|finished PID START SINCE, stale PID SINCE, rc N, vanished, error TEXT.
export const FOLLOW_SCRIPT = `${FUNCS}
runner=$1
dir=$2
shift 2
mkdir -p "\${dir%/*}" 2>/dev/null
pid=
start=
tries=0
while :; do
  if mkdir "$dir" 2>/dev/null; then
    command -v setsid >/dev/null 2>&1 || { rmdir "$dir"; say error setsid is not installed in the container; exit 127; }
    date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/started"
    printf '%s\\n' "$*" >"$dir/cmd"
    : >"$dir/out"
    setsid sh -c "$runner" sh "$dir" "$@" </dev/null >/dev/null 2>&1 &
    waited=0
    while [ ! -f "$dir/pid" ] && [ $waited -lt 100 ]; do nap; waited=$((waited + 1)); done
    read -r pid start 2>/dev/null <"$dir/pid" || { rm -rf -- "$dir"; say error the command did not start; exit 127; }
    say started "$pid" "$start" "$(since "$dir")"
    break
  fi
  if [ -f "$dir/rc" ]; then
    read -r pid start 2>/dev/null <"$dir/pid" || pid=-
    say finished "$pid" "\${start:--}" "$(since "$dir")"
    break
  fi
  if read -r pid start 2>/dev/null <"$dir/pid"; then
    if alive "$pid" "$start"; then
      say attached "$pid" "$start" "$(since "$dir")"
      break
    fi
    [ -f "$dir/rc" ] && continue
    say stale "$pid" "$(since "$dir")"
    rm -rf -- "$dir"
    continue
  fi
  tries=$((tries + 1))
  if [ $tries -gt 50 ]; then
    say stale - "$(since "$dir")"
    rm -rf -- "$dir"
    tries=0
  fi
  nap
done
off=0
while :; do
  [ -f "$dir/rc" ] && ended=1 || ended=
  size=$(wc -c <"$dir/out" 2>/dev/null) || size=$off
  size=$((size))
  if [ "$size" -gt "$off" ]; then
    tail -c +$((off + 1)) "$dir/out" | head -c $((size - off))
    off=$size
  fi
  if [ -n "$ended" ]; then
    read -r rc <"$dir/rc"
    say rc "$rc"
    exit "$rc"
  fi
  if [ ! -d "$dir" ] || ! alive "$pid" "$start"; then
    [ -f "$dir/rc" ] && continue
    say vanished
    exit 3
  fi
  nap
done
`;

// Stops the recorded process group: TERM, then KILL after $2 seconds; then removes the state. $1 = DIR.
// Status lines: stopped PID, killed PID, not-running.
export const STOP_SCRIPT = `${FUNCS}
dir=$1
grace=$2
if read -r pid start 2>/dev/null <"$dir/pid" && alive "$pid" "$start"; then
  kill -TERM "-$pid" 2>/dev/null
  waited=0
  while group_alive "$pid" && [ $waited -lt $((grace * 5)) ]; do nap; waited=$((waited + 1)); done
  if group_alive "$pid"; then
    kill -KILL "-$pid" 2>/dev/null
    say killed "$pid"
  else
    say stopped "$pid"
  fi
else
  say not-running
fi
rm -rf -- "$dir"
`;

// Removes a finished command's state once its result has reached the controller. $1 = DIR, $2 = "PID START".
export const CLEAR_SCRIPT = `
dir=$1
read -r pid start 2>/dev/null <"$dir/pid" || exit 0
[ "$pid $start" = "$2" ] && [ -f "$dir/rc" ] && rm -rf -- "$dir"
exit 0
`;

/** One state folder per command line: the first 16 hex digits of the sha256 of its argv. */
export function flightDir(argv: readonly string[]): string {
  const key = createHash('sha256').update(JSON.stringify(argv)).digest('hex').slice(0, 16);
  return `${FLIGHT_ROOT}/${key}`;
}

// `docker exec C sh -c FOLLOW sh RUNNER DIR argv...`: the command line is data, never part of a script.
export function flightRunArgv(container: string, argv: readonly string[]): string[] {
  return ['docker', 'exec', container, 'sh', '-c', FOLLOW_SCRIPT, 'sh', RUNNER_SCRIPT, flightDir(argv), ...argv];
}

export function flightStopArgv(container: string, dir: string, graceSeconds: number): string[] {
  return ['docker', 'exec', container, 'sh', '-c', STOP_SCRIPT, 'sh', dir, String(graceSeconds)];
}

export function flightClearArgv(container: string, dir: string, pidStart: string): string[] {
  return ['docker', 'exec', container, 'sh', '-c', CLEAR_SCRIPT, 'sh', dir, pidStart];
}

/** A status line of the scripts. */
export type FlightEvent =
  | { kind: 'started' | 'attached' | 'finished'; pid: string; start: string; since: string }
  | { kind: 'stale'; pid: string; since: string }
  | { kind: 'rc'; rc: number }
  | { kind: 'stopped' | 'killed'; pid: string }
  | { kind: 'vanished' | 'not-running' }
  | { kind: 'error'; text: string };

// A stderr line of the scripts as an event; undefined for any other line.
export function parseFlightLine(line: string): FlightEvent | undefined {
  if (!line.startsWith(`${FLIGHT_TAG} `)) return undefined;
  const [kind = '', ...rest] = line.slice(FLIGHT_TAG.length + 1).split(' ');
  switch (kind) {
    case 'started':
    case 'attached':
    case 'finished':
      return { kind, pid: rest[0] ?? '-', start: rest[1] ?? '-', since: rest[2] ?? 'unknown' };
    case 'stale':
      return { kind, pid: rest[0] ?? '-', since: rest[1] ?? 'unknown' };
    case 'rc': {
      const rc = Number(rest[0]);
      return Number.isInteger(rc) ? { kind, rc } : undefined;
    }
    case 'stopped':
    case 'killed':
      return { kind, pid: rest[0] ?? '-' };
    case 'vanished':
    case 'not-running':
      return { kind };
    case 'error':
      return { kind, text: rest.join(' ') };
    default:
      return undefined;
  }
}
