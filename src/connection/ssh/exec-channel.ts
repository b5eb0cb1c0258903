// Runs one built command line on its own SSH channel: output lines, stdin, sudo password, timeout and abort.
import type { Client, ClientChannel } from 'ssh2';
import { OmsrunError } from '../../core/errors.js';
import { BecomeHandshake } from '../become-handshake.js';
import { CommandRun, signalRc, type CommandRunOptions } from '../command-run.js';
import type { ExecResult } from '../connection.js';
import type { CommandMarkers } from './remote-command.js';

/** Options of runChannel. */
export interface ChannelRunOptions extends CommandRunOptions {
  /** Inventory host name, for messages. */
  host: string;
  markers: CommandMarkers;
  /** Kills the command's processes on the host (second channel); called on timeout and abort. */
  kill: (pid: number | undefined) => Promise<void>;
  /** Receives stdout bytes as they come (for binary reads). */
  onRaw?: (chunk: Buffer) => void;
  /** Called once the command runs, with the login shell its wrapper reported. */
  onReady?: (shell: string) => void;
}

/** The channel closed without an exit status: the connection went away. */
export class ChannelLostError extends OmsrunError {
  override readonly name = 'ChannelLostError';
  constructor(message: string, readonly started: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Kills the command's processes through a second channel (bounded), then drops this channel; settles if close never comes.
function stopRemote(o: ChannelRunOptions, pid: number | undefined, ch: ClientChannel, settle: () => void): void {
  const bounded = Promise.race([o.kill(pid), new Promise((done) => setTimeout(done, 5000).unref())]);
  void bounded.catch(() => undefined).finally(() => {
    ch.signal('KILL');
    ch.close();
    setTimeout(settle, 2000).unref();
  });
}

// Opens a channel, runs the command, and settles once the channel closes.
export function runChannel(client: Client, command: string, o: ChannelRunOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const prompt = o.become?.password !== undefined ? o.markers.prompt : undefined;
    const run = new CommandRun(o, new BecomeHandshake({ marker: o.markers.ready, prompt, sudo: o.become !== undefined }));
    const onChannel = (err: Error | undefined, ch: ClientChannel): void => {
      if (err) return reject(new ChannelLostError(err.message, false, { cause: err }));
      let pid: number | undefined;
      let rc: number | undefined;
      let stopping = false;
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        const result = run.settle(rc, o.host, () => new ChannelLostError('the connection closed while the command was running', true));
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      run.watch(() => {
        if (rc !== undefined) return false;
        if (!stopping) stopRemote(o, pid, ch, settle);
        stopping = true;
        return true;
      });
      run.attach(ch, () => ch.close(), (ready) => {
        pid = ready.pid;
        o.onReady?.(ready.shell);
      });
      ch.on('data', (chunk: Buffer) => (o.onRaw?.(chunk), run.stdout.push(chunk)));
      ch.stderr.on('data', (chunk: Buffer) => run.pushStderr(chunk));
      ch.on('exit', (code: number | null, sig?: string) => (rc = typeof code === 'number' ? code : signalRc(sig)));
      ch.on('close', settle);
    };
    try {
      client.exec(command, onChannel);
    } catch (err) {
      reject(new ChannelLostError((err as Error).message, false, { cause: err }));
    }
  });
}
