// A Connection with no host behind it: it records what a module sends and answers from a script of canned replies.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Become, Capabilities, Connection, ExecOptions, ExecResult, GetFileOptions, PutOptions, PutSource } from '../../src/connection/connection.js';

/** What the host answers to one command. */
export interface Reply {
  /** @defaultValue 0 */
  rc?: number;
  /** @defaultValue '' */
  stdout?: string;
  /** @defaultValue '' */
  stderr?: string;
  /** The command ran past its timeout (the transport reports rc 124). @defaultValue false */
  timedOut?: boolean;
}

/** One canned answer; each answers one command, the first unused one that matches. */
export type HostAnswer =
  | { argv: string[]; reply?: Reply }
  /** A regular expression tested against the argv joined with spaces. */
  | { match: string; reply?: Reply }
  | { when: (argv: string[]) => boolean; reply?: Reply }
  /** Content of a file read with get(). */
  | { get: string; content: string };

/** One exec as sent: argv and the options that reach the host (callbacks and abort signals left out). */
export interface ExecSent {
  argv: string[];
  /** Text, or `sha256:<hex>` of binary input (a stream is read whole). */
  stdin?: string;
  cwd?: string;
  env?: Record<string, string>;
  become?: Become;
  timeoutMs?: number;
  ownScript?: boolean;
}

/** One put as sent: dest, the content (as stdin is shown) and the file options. */
export interface PutSent {
  put: string;
  content: string;
  mode?: string;
  owner?: string;
  group?: string;
  become?: Become;
  replace?: boolean;
}

export interface GetSent {
  get: string;
  become?: Become;
}

export type Sent = ExecSent | PutSent | GetSent;

/** How the connection presents itself and shows what it records. */
export interface RecordingOptions {
  /** @defaultValue 'ssh' (modules take their exec paths: curl, nc probes) */
  transport?: string;
  /** @defaultValue 'recorded' */
  host?: string;
  /** Rewrites an argv before it is recorded and matched (e.g. long scripts shown by name). */
  show?: (argv: string[]) => string[];
}

// Bytes as a case file shows them: text as it is, anything else by its sha256.
export async function shownBytes(data: string | Buffer | Readable): Promise<string> {
  let buf: Buffer;
  if (typeof data === 'string') return data;
  if (data instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const c of data) chunks.push(Buffer.from(c as Buffer));
    buf = Buffer.concat(chunks);
  } else buf = data;
  const text = buf.toString('utf8');
  if (!buf.includes(0) && Buffer.from(text, 'utf8').equals(buf)) return text;
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

// Only the fields that were given, so a recorded call compares equal to its shortest description.
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function matches(answer: HostAnswer, argv: string[]): boolean {
  if ('argv' in answer) return JSON.stringify(answer.argv) === JSON.stringify(argv);
  if ('match' in answer) return new RegExp(answer.match).test(argv.join(' '));
  if ('when' in answer) return answer.when(argv);
  return false;
}

export class RecordingConnection implements Connection {
  readonly host: string;
  readonly transport: string;
  readonly capabilities: Capabilities;
  /** Every exec, put and get, in order. */
  readonly sent: Sent[] = [];
  /** Commands no answer matched: each also failed its exec. */
  readonly unmatched: string[][] = [];
  private readonly left: HostAnswer[];
  private readonly show: (argv: string[]) => string[];

  constructor(script: HostAnswer[], options: RecordingOptions = {}) {
    this.left = [...script];
    this.host = options.host ?? 'recorded';
    this.transport = options.transport ?? 'ssh';
    this.capabilities = { runsOnController: this.transport === 'local' };
    this.show = options.show ?? ((argv) => argv);
  }

  /** Answers the script gave and no command asked for. */
  get unused(): HostAnswer[] {
    return [...this.left];
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  async exec(argv: string[], o: ExecOptions = {}): Promise<ExecResult> {
    const shown = this.show(argv);
    const stdin = o.stdin === undefined ? undefined : await shownBytes(o.stdin);
    const { cwd, env, become, timeoutMs } = o;
    this.sent.push(defined({ argv: shown, stdin, cwd, env, become, timeoutMs, ownScript: o.ownScript || undefined }));
    const at = this.left.findIndex((a) => matches(a, shown));
    if (at < 0) {
      this.unmatched.push(shown);
      throw new Error(`the recorded host has no reply for: ${JSON.stringify(shown)}`);
    }
    const [answer] = this.left.splice(at, 1);
    const reply = (answer && 'reply' in answer ? answer.reply : undefined) ?? {};
    const timedOut = reply.timedOut ?? false;
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const line of (reply[stream] ?? '').split('\n').filter(Boolean)) o.onLine?.(stream, line);
    }
    return { rc: reply.rc ?? (timedOut ? 124 : 0), stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', timedOut, durationMs: 1 };
  }

  async put(source: PutSource, dest: string, o: PutOptions = {}): Promise<void> {
    const content = await shownBytes('content' in source ? source.content : await readFile(source.localPath));
    const { mode, owner, group, become } = o;
    this.sent.push(defined({ put: dest, content, mode, owner, group, become, replace: o.replace || undefined }));
  }

  // A streamed read shows as a get: the file's canned content lands in the controller file.
  async getFile(path: string, localPath: string, o: GetFileOptions = {}): Promise<void> {
    await writeFile(localPath, await this.get(path, { become: o.become }));
  }

  async get(path: string, o: { become?: Become } = {}): Promise<Buffer> {
    this.sent.push(defined({ get: path, become: o.become }));
    const at = this.left.findIndex((a) => 'get' in a && a.get === path);
    if (at < 0) {
      this.unmatched.push(['get', path]);
      throw new Error(`the recorded host has no file ${path}`);
    }
    const [answer] = this.left.splice(at, 1);
    return Buffer.from(answer && 'content' in answer ? answer.content : '');
  }
}
