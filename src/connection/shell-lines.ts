// Shell pieces shared by omsrun's own scripts (stat, file, copy, template, put): each step is written once.

/** From this size a file is hashed with openssl where the host has it (SHA extensions: ~4× faster than coreutils sha256sum on 1 GiB); smaller files keep the cheaper start of sha256sum. */
export const BIG_FILE = 8 * 1024 * 1024;

// `sha256_of FILE [SIZE]` prints FILE's sha256 (SIZE in bytes picks the hasher); it fails when FILE cannot be read.
export const SHA_LINES = [
  'sha256_of() {',
  `  if [ "\${2:-0}" -ge ${BIG_FILE} ] && command -v openssl >/dev/null 2>&1; then sum_line=$(openssl dgst -sha256 -r < "$1"); else sum_line=$(sha256sum < "$1"); fi || return`,
  '  echo "${sum_line%% *}"',
  '}',
];

// Prints what parseStat reads for $path: `absent`, or the stat line and, for a regular file when checksum=1, its
// sha256. Leaves kind (absent, dir, file or other), stat_line and sum (the sha256) set for what follows.
export const STAT_LINES = [
  ...SHA_LINES,
  'kind=absent',
  'if [ -e "$path" ] || [ -L "$path" ]; then',
  `  if stat_line=$(stat -c '%f/%a/%U/%G/%u/%g/%s' -- "$path"); then`,
  '    echo "$stat_line"',
  '    case $(( 0x${stat_line%%/*} & 61440 )) in 16384) kind=dir ;; 32768) kind=file ;; *) kind=other ;; esac',
  // A path removed between the two checks is absent, not an error.
  '  elif [ -e "$path" ] || [ -L "$path" ]; then exit 3',
  '  fi',
  'fi',
  '[ "$kind" != absent ] || echo absent',
  'sum=',
  'if [ "$kind" = file ] && [ "$checksum" = 1 ]; then',
  '  sum=$(sha256_of "$path" "${stat_line##*/}")',
  '  echo "$sum"',
  'fi',
];

// After STAT_LINES: the old path's mode (4 digits), user and group names and ids, for comparisons.
export const FIELD_LINES = [
  'if [ "$kind" != absent ]; then set -f; IFS=/; set -- $stat_line; unset IFS; old_mode=000$2; old_mode=${old_mode#"${old_mode%????}"}; old_user=$3 old_group=$4 old_uid=$5 old_gid=$6; fi',
];

// `set_attrs PATH MODE OWNER GROUP` sets what is not empty (owner and group: names or ids): chown first, as it clears
// setuid/setgid bits that chmod sets; -h changes a link itself, never what it points to.
export const ATTR_LINES = [
  'set_attrs() {',
  '  if [ -n "$3$4" ]; then chown -h "$3${4:+:$4}" -- "$1" || return; fi',
  '  if [ -n "$2" ]; then chmod "$2" -- "$1" || return; fi',
  '}',
];
