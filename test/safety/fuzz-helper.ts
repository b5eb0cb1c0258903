// Shared arbitraries and the "clean failure" property for the fuzz tests.
import fc from 'fast-check';
import { ConfigErrors, OmsrunError } from '../../src/core/errors.js';

/** The seed of a fuzz run: FUZZ_SEED (a whole number) to replay one, else a random one. */
export function fuzzSeed(env: string | undefined): number {
  if (env === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^-?\d+$/.test(env.trim())) throw new Error(`FUZZ_SEED must be a whole number as printed by a fuzz run, got ${JSON.stringify(env)}`);
  return Number(env);
}

const TOKENS = [
  '-', ' ', ':', ': ', '\n', '\n  ', '\n    ', '{', '}', '[', ']', ',', '&a ', '*a', '&b ', '*b', '!!str ', '!!map ', '!vault ',
  '|', '>', "'", '"', '#', '? ', '---\n', '...\n', '%YAML 1.2\n', '\t', '\\', 'hosts', 'tasks', 'name', 'vars', 'all', 'children',
  'x', '1', '0x1F', '~', 'null', 'true', '<<: *a', '{{', '}}', 'é', '😀', '\u0000', '\u202e', '\ufeff', '\r',
];

// YAML-looking garbage: mostly structural characters, some keywords, odd unicode.
export const yamlGarbage = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));

// Values that break type expectations: wrong scalars, containers, deep nesting, huge and odd strings.
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('x'.repeat(200_000)),
  fc.constantFrom('{{ x', '{{#if}}', '{{ undefined_var }}', '}}{{', 'a ==', '{{{raw}}}', '{{> p}}', '%', '-1', '0o777', '9'.repeat(40)),
  fc.integer({ min: 1, max: 400 }).map((n) => nest(n)),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
);

function nest(n: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** One mutation of a valid document: set a value at a path, add an unknown key, or delete a key. */
export type Mutation = { op: 'set' | 'add' | 'del'; at: number; key: string; value: unknown };

export const mutations = fc.array(
  fc.record({ op: fc.constantFrom('set', 'add', 'del') as fc.Arbitrary<Mutation['op']>, at: fc.nat(), key: fc.string({ maxLength: 8 }), value: weirdValue }),
  { minLength: 1, maxLength: 3 },
);

// Applies mutations to a deep copy; `at` picks one of the containers in the document.
export function mutate(doc: unknown, list: readonly Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const m of list) {
    const nodes = containers(copy);
    const target = nodes[m.at % nodes.length]!;
    const keys = Object.keys(target);
    const key = m.op === 'add' || keys.length === 0 ? m.key : keys[m.at % keys.length]!;
    if (m.op === 'del' && !Array.isArray(target)) delete (target as Record<string, unknown>)[key];
    else (target as Record<string, unknown>)[key] = m.value;
  }
  return copy;
}

function containers(v: unknown, out: object[] = []): object[] {
  if (v && typeof v === 'object') {
    out.push(v);
    for (const c of Object.values(v)) containers(c, out);
  }
  return out;
}

const STACK = /\n\s+at .+:\d+:\d+/;

// The property: an OmsrunError with no stack in its text; a ConfigError from a file names file:line:col.
export function assertClean(err: unknown, file?: RegExp): void {
  if (!(err instanceof OmsrunError)) {
    const e = err as Error;
    throw new Error(`expected an OmsrunError, got ${e?.constructor?.name}: ${e?.message}`, { cause: err });
  }
  if (STACK.test(err.message)) throw new Error(`stack trace in message: ${err.message}`);
  if (!file) return;
  const list = err instanceof ConfigErrors ? err.errors : [err];
  for (const e of list) {
    const here = new RegExp(`${file.source}:\\d+:\\d+`);
    if (!here.test(e.message)) throw new Error(`no position in: ${e.message}`);
  }
}

// Runs one case under a time box; a case that neither settles nor throws in time is a hang.
export async function clean<T>(fn: () => T | Promise<T>, file?: RegExp, ms = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`hang: no answer in ${ms} ms`)), ms))),
    ]);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('hang:')) throw err;
    assertClean(err, file);
  } finally {
    clearTimeout(timer);
  }
  const took = performance.now() - t0;
  if (took > ms) throw new Error(`hang: a synchronous case took ${Math.round(took)} ms`);
}
