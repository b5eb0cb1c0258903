// Argument pieces and result shapes that several modules share.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConnectionError, fromSystemError, InterruptedError } from '../../core/errors.js';
import { describeValue } from '../../core/key-path.js';
import type { ModuleOutcome } from './module.js';

// YAML turns an unquoted 0755 into a number; say so instead of chmod-ing to 1363.
export function modeNumberMessage(n: number): string {
  const digits = /^[0-7]{1,4}$/.test(String(n)) ? String(n) : n.toString(8);
  const octal = digits.padStart(4, '0');
  return `expected a quoted octal string such as '${octal}', got the number ${n}; write mode: '${octal}' (YAML reads unquoted numbers as decimal)`;
}

/** File permissions as an octal string ('0644', '755'). */
export const modeSchema = z
  .string({ error: (iss) => (typeof iss.input === 'number' ? modeNumberMessage(iss.input) : undefined) })
  .regex(/^0?[0-7]{3,4}$/, { error: (iss) => `expected an octal mode such as '0644', got ${describeValue(iss.input)}` })
  .describe("Permissions as a quoted octal string, e.g. '0644'.");

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
