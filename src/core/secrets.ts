// Secret values are registered once and masked in every string that leaves the engine.
import { literalOf } from './unsafe.js';

export const MASK = '********';

/** Shorter secrets are masked only where a whole string equals them (else `1` would mask every digit). */
const MIN_INNER = 4;

const SECRET_NAME = /(password|passwd|secret|token|(^|_)key$|private_key)/i;

/** True when a variable's name marks its value as secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | null | undefined;

  /** Registers a secret value; values under 4 characters are masked only where a whole string equals them. */
  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    if (s.length === 0 || this.values.has(s)) return;
    for (const form of encodings(s)) this.values.add(form);
    this.pattern = undefined;
  }

  /** Registers every value in `vars` whose key looks secret, recursively. */
  addFromVars(vars: unknown, name = ''): void {
    if (vars === null || vars === undefined) return;
    if (Array.isArray(vars)) {
      for (const v of vars) this.addFromVars(v, name);
    } else if (typeof vars === 'object') {
      for (const [k, v] of Object.entries(vars as Record<string, unknown>)) this.addFromVars(v, k);
    } else if (name && isSecretName(name)) {
      this.add(vars);
      if (typeof vars === 'string') this.add(literalOf(vars));
    }
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    if (this.values.has(text)) return MASK;
    if (!this.pattern) {
      const long = [...this.values].filter((v) => v.length >= MIN_INNER).sort((a, b) => b.length - a.length);
      this.pattern = long.length ? new RegExp(long.map(escapeRegExp).join('|'), 'g') : null;
    }
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** Deep-masks strings inside any JSON-like value. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s)) as T;
  }
}

// A secret also leaks through its escaped forms: YAML single quotes, shell quotes, and each of those JSON-escaped.
function encodings(s: string): string[] {
  const quoted = [s, s.replace(/'/g, "''"), s.replace(/'/g, `'\\''`)];
  const forms = quoted.flatMap((q) => [q, JSON.stringify(q).slice(1, -1)]);
  return [...new Set(forms)].filter((f) => f.length > 0);
}

function walk(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, f));
  if (value && typeof value === 'object' && !(value instanceof Buffer)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, f);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
