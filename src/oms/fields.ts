// Field parsers for the OMS variables: each turns a raw inventory value into a typed one or says what it expected.
import { isIP } from 'node:net';
import { z } from 'zod';
import { describeValue } from '../core/key-path.js';

/** One thing wrong with the settings: where (a key path) and what was expected. */
export interface Problem {
  path: string;
  message: string;
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** How a field treats a missing value. */
export interface FieldOptions<T> {
  /** A missing value is a problem. @defaultValue false */
  required?: boolean;
  /** Value used when missing (and not required). */
  default?: T;
  /** Never print the value. @defaultValue false */
  secret?: boolean;
}

// A zod schema for one variable whose every issue reads `expected X, got Y`.
export function field<T>(expected: string, parse: (v: unknown) => T | undefined, o: FieldOptions<T> = {}) {
  return z.unknown().transform((v, ctx): T | undefined => {
    if (isMissing(v)) {
      if (o.required) ctx.addIssue({ code: 'custom', message: `missing; expected ${expected}`, input: v });
      return o.default;
    }
    const out = parse(v);
    if (out === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${describeValue(v, { secret: o.secret })}`, input: v });
      return z.NEVER;
    }
    return out;
  });
}

export function parseText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function parseWord(v: unknown): string | undefined {
  const s = parseText(v)?.trim();
  return s && !/\s/.test(s) ? s : undefined;
}

export function parseIntIn(min: number, max: number): (v: unknown) => number | undefined {
  return (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

/** A host name or IP address, without scheme, path or spaces. */
export function parseHost(v: unknown): string | undefined {
  const s = parseWord(v);
  if (!s) return undefined;
  if (isIP(s)) return s;
  return /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*$/.test(s) ? s : undefined;
}

export function parseIp(v: unknown): string | undefined {
  const s = parseWord(v);
  return s && isIP(s) ? s : undefined;
}

export function parseAbsPath(v: unknown): string | undefined {
  const s = parseText(v);
  return s && s.startsWith('/') && !s.includes('\0') ? s.replace(/(.)\/+$/, '$1') : undefined;
}

export function parseEnum<T extends string>(values: readonly T[]): (v: unknown) => T | undefined {
  return (v) => {
    const s = parseText(v)?.trim().toUpperCase();
    return values.find((x) => x === s);
  };
}

/** MySQL database names as OMS creates them: letters, digits, _ and $, at most 64. */
export function parseDbName(v: unknown): string | undefined {
  const s = parseWord(v);
  return s && /^[A-Za-z0-9_$]{1,64}$/.test(s) ? s : undefined;
}

export function parseIpList(v: unknown): string[] | undefined {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const ips = list.map(parseIp);
  return ips.every((ip): ip is string => ip !== undefined) ? ips : undefined;
}

/** Extra config.yaml lines: key names (letters, digits, _) to strings, numbers or booleans. */
export function parseConfigExtra(v: unknown): Record<string, string | number | boolean> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return undefined;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
    else return undefined;
  }
  return out;
}

// zod issues → problems, the key path first.
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix = ''): Problem[] {
  return issues.map((iss) => ({ path: prefix + iss.path.map(String).join('.'), message: iss.message }));
}

export function formatProblems(problems: readonly Problem[]): string {
  const head = problems.length === 1 ? 'OMS settings: 1 problem' : `OMS settings: ${problems.length} problems`;
  return [head, ...problems.map((p) => `  ${p.path}: ${p.message}`)].join('\n');
}
