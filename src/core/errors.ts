// One small error tree: users see `message`; `cause` keeps the original for -vvv.

/** Where something sits in a source file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export class OmsrunError extends Error {
  override readonly name: string = 'OmsrunError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Bad input: inventory, playbook, vars file, template, CLI argument.
 * Renders as `file:line:col keyPath: expected X, got Y` plus an optional hint line.
 */
export class ConfigError extends OmsrunError {
  override readonly name = 'ConfigError';
  constructor(
    readonly detail: string,
    readonly where: {
      pos?: SourcePos;
      /** Key path such as `tasks[3].wait_for.port`. */
      keyPath?: string;
      hint?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(formatConfigError(detail, where), options);
  }
}

export function formatConfigError(
  detail: string,
  where: { pos?: SourcePos; keyPath?: string; hint?: string },
): string {
  const loc = where.pos ? `${where.pos.file}:${where.pos.line}:${where.pos.col}` : '';
  const head = [loc, where.keyPath ? `${where.keyPath}:` : ''].filter(Boolean).join(' ');
  const body = head ? `${head}${where.keyPath ? '' : ':'} ${detail}` : detail;
  return where.hint ? `${body}\n  hint: ${where.hint}` : body;
}

/** Several config errors found in one pass; each line is one error. */
export class ConfigErrors extends OmsrunError {
  override readonly name = 'ConfigErrors';
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

/** A host could not be reached or the transport failed; `detail` is the message without the host name. */
export class ConnectionError extends OmsrunError {
  override readonly name = 'ConnectionError';
  constructor(
    readonly host: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${detail}`, options);
  }
}

/** A command ran and failed; keeps its rc and output. */
export class CommandError extends OmsrunError {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly rc: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The operating system refused a file or socket operation (a missing file, a folder, no permission). */
export class SystemError extends OmsrunError {
  override readonly name = 'SystemError';
}

// An OS error (ENOENT, EISDIR, EACCES...) is the environment's failure, not a bug: it becomes a SystemError saying
// what was being done (`cannot read /x: no such file or directory`). Anything else is returned as it is.
export function fromSystemError(what: string, err: unknown): unknown {
  if (!isSystemError(err)) return err;
  const reason = err.code === 'EISDIR' ? 'expected a file, got a folder' : err.message.replace(/^E[A-Z0-9]+: ([^,]*),.*$/s, '$1');
  return new SystemError(`${what}: ${reason}`, { cause: err });
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && !(err instanceof OmsrunError) && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}

/** The run was interrupted (Ctrl-C / SIGTERM); `detail` may say what was stopped and what still runs. */
export class InterruptedError extends OmsrunError {
  override readonly name = 'InterruptedError';
  constructor(readonly detail?: string) {
    super(detail ? `interrupted: ${detail}` : 'interrupted');
  }
}

export const ExitCode = {
  ok: 0,
  /** One or more tasks failed on a reachable host. */
  taskFailed: 2,
  /** One or more hosts were unreachable (and none failed otherwise). */
  unreachable: 3,
  /** Invalid input: inventory, playbook, vars, template, CLI usage. */
  invalidInput: 4,
  /** An internal error (a bug): reported with its stack. */
  internal: 70,
  /** Interrupted by Ctrl-C or SIGTERM. */
  interrupted: 130,
} as const;
