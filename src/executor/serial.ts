// Rolling batches: `serial: 1`, `serial: "30%"`, `serial: [1, 5, "50%"]` (the last entry repeats).

/** Splits hosts into batches as `serial` asks; no serial → one batch. */
export function serialBatches<T>(hosts: readonly T[], serial: readonly (number | string)[] | undefined): T[][] {
  if (!serial || serial.length === 0 || hosts.length === 0) return hosts.length ? [hosts.slice()] : [];
  const batches: T[][] = [];
  let i = 0;
  let step = 0;
  while (i < hosts.length) {
    const spec = serial[Math.min(step, serial.length - 1)]!;
    const size = batchSize(spec, hosts.length);
    batches.push(hosts.slice(i, i + size));
    i += size;
    step++;
  }
  return batches;
}

function batchSize(spec: number | string, total: number): number {
  if (typeof spec === 'number') return Math.max(1, Math.floor(spec));
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(spec);
  if (m) return Math.max(1, Math.floor((Number(m[1]) / 100) * total));
  return Math.max(1, Math.floor(Number(spec)) || 1);
}
