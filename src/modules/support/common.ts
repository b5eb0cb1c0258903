// Argument pieces and result shapes that several modules share.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConnectionError, fromSystemError, InterruptedError } from '../../core/errors.js';
import { describeValue } from '../../core/key-path.js';
import type { ModuleOutcome } from './module.js';

// An unquoted `mode: 0644` is octal as Ansible users mean it: YAML 1.2 reads it as the number 644, whose digits are
// the octal digits; a number with an 8 or 9 in it is a mode value already in decimal (493 → 0755, from `0o755` or
// a computed value), as Ansible reads an integer mode.
export function modeFromNumber(v: unknown): unknown {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return v;
  const digits = String(v);
  if (/^[0-7]{1,4}$/.test(digits)) return digits.padStart(4, '0');
  return v <= 0o7777 ? v.toString(8).padStart(4, '0') : v;
}

/** File permissions as an octal string ('0644', '755'), or an unquoted YAML number read as octal. */
export const modeSchema = z.preprocess(
  modeFromNumber,
  z
    .string({ error: (iss) => `expected an octal mode such as '0644', got ${describeValue(iss.input)}` })
    .regex(/^0?[0-7]{3,4}$/, { error: (iss) => `expected an octal mode such as '0644', got ${describeValue(iss.input)}` }),
).describe("Permissions in octal: '0644', or unquoted 0644 (read as octal, never as decimal).");

/** mode/owner/group fields for modules that manage a path. */
export const attrFields = {
  mode: modeSchema.optional(),
  owner: z.string().min(1).optional().describe('User name or uid that should own the path.'),
  group: z.string().min(1).optional().describe('Group name or gid of the path.'),
};

/** A command as argv, or one string split like a shell would (but without one). */
export const argvOrString = z.union([z.string().min(1), z.array(z.string()).min(1)]);

// A failed outcome is data, not an exception: the host stays in the run.
export function failed(msg: string, extra: Partial<ModuleOutcome> = {}): ModuleOutcome {
  return { changed: false, failed: true, msg, ...extra };
}

// Interrupts and lost hosts must reach the executor; everything else is this task's failure.
export function isFatal(err: unknown): boolean {
  return err instanceof InterruptedError || err instanceof ConnectionError;
}

// A controller file that cannot be read (a folder, no permission) fails the task, naming the file.
export function controllerRead<T>(path: string, work: Promise<T>): Promise<T> {
  return work.catch((err: unknown) => {
    throw fromSystemError(`cannot read ${path}`, err);
  });
}

// Controller-side `src` paths are relative to the playbook, then to its templates folders.
export function resolveControllerPath(baseDir: string, src: string, extraDirs: string[] = []): string | undefined {
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  for (const dir of [baseDir, ...extraDirs.map((d) => resolve(baseDir, d))]) {
    const p = resolve(dir, src);
    if (existsSync(p)) return p;
  }
  return undefined;
}

// Text diffs only: a NUL byte or a huge file would make an unreadable diff.
export function isDiffable(buf: Buffer): boolean {
  return buf.length <= 1024 * 1024 && !buf.includes(0);
}
