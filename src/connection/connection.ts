// Modules see only this interface: local, SSH (and later others) live behind it.
import type { Readable } from 'node:stream';

export interface Become {
  /** Run as this user (default root). */
  user: string;
  /** sudo password, given on stdin, never on a command line. Absent: `sudo -n`. */
  password?: string;
}

export interface ExecOptions {
  /** Working directory for the command. */
  cwd?: string;
  /** Data written to the command's stdin, then stdin is closed. A stream is piped with backpressure (large files). */
  stdin?: string | Buffer | Readable;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill the command after this many milliseconds (result has `timedOut: true`). */
  timeoutMs?: number;
  /** Run through sudo as another user. */
  become?: Become;
  /** Called with each complete line of output as it arrives (for the live view). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Abort kills the running command. */
  signal?: AbortSignal;
  /**
   * argv is `['/bin/sh', '-c', SCRIPT, 'sh', ...args]` with a script of omsrun's own that runs alike in any POSIX
   * shell: a transport whose login shell is one (bash, dash, sh) may have the login shell run it, one process less.
   */
  ownScript?: boolean;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** A file's mode, owner and group (names or ids); an absent field is left alone. */
export interface Attrs {
  /** Octal mode string such as '0644' or '0600'. */
  mode?: string;
  owner?: string;
  group?: string;
}

export interface PutOptions extends Attrs {
  become?: Become;
  /** Called with bytes sent so far. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** sha256 of the source when the caller has it (or is computing it: a promise is awaited only after the upload), so put does not hash it again. */
  sha256?: string | Promise<string>;
  /** The caller already found dest's content differs: upload without comparing checksums first. @defaultValue false */
  replace?: boolean;
}

export interface GetFileOptions {
  become?: Become;
  /** Called with bytes received so far. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Where put() reads from: bytes in memory or a file on the controller. */
export type PutSource = { content: string | Buffer } | { localPath: string };

/** What a connection can do, so modules and the executor ask this instead of which transport it is. */
export interface Capabilities {
  /**
   * Commands run on the controller itself, as the user running omsrun: a module may do the work in-process (an HTTP
   * request, a port probe) with no command sent, no login user applies, and the machine is the controller's.
   */
  readonly runsOnController: boolean;
}

export interface Connection {
  /** Inventory host name. */
  readonly host: string;
  /** The transport's name, for messages: 'local' | 'ssh' | ... */
  readonly transport: string;
  readonly capabilities: Capabilities;
  /** Opens the transport; throws ConnectionError when the host is unreachable. */
  connect(): Promise<void>;
  /** Runs argv (never through a shell unless argv says so: ['/bin/sh', '-c', script]). */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file atomically: temp file in the target folder, then rename. Never half-written. */
  put(source: PutSource, dest: string, options?: PutOptions): Promise<void>;
  /** Reads a whole remote file. */
  get(path: string, options?: { become?: Become }): Promise<Buffer>;
  /**
   * Streams a remote file into a controller file (created or replaced; the caller picks a temp name), never holding it
   * whole in memory. Absent on transports that cannot: callers fall back to get() (see fetchToLocal).
   */
  getFile?(path: string, localPath: string, options?: GetFileOptions): Promise<void>;
  close(): Promise<void>;
}
