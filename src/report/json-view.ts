// --json: one JSON object per line per event, for pipelines.
import { eventLine } from '../core/events.js';
import type { View } from './view.js';

export function jsonView(out: NodeJS.WritableStream): View {
  return {
    listener: (event) => {
      if (event.kind === 'verbose') return;
      out.write(eventLine(event));
    },
    close: async () => undefined,
  };
}
