// A view subscribes to run events and owns the terminal until closed.
import type { Listener } from '../core/events.js';

export interface View {
  listener: Listener;
  /** Waits until everything is drawn (the live view renders asynchronously); after a run cut short, ends what is open. */
  close(): Promise<void>;
}

export interface ViewOptions {
  color: boolean;
  verbosity: number;
  diff: boolean;
  out: NodeJS.WritableStream;
}
