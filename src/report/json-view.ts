// --json: one JSON object per line per event, for pipelines.
import type { View } from './view.js';

export function jsonView(out: NodeJS.WritableStream): View {
  return {
    listener: (event) => {
      if (event.kind === 'verbose') return;
      out.write(`${JSON.stringify(event)}\n`);
    },
    close: async () => undefined,
  };
}
