// Quoting happens once, at the edge, from an argument array.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX-shell-quotes one argument. */
export function quoteArg(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Turns an argument array into one POSIX shell command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
