// Host entries as Ansible reads them: an optional `:port`, then ranges such as web[01:20] or db-[a:c].
import { OmsrunError } from '../core/errors.js';
import { MAX_RANGE_ITEMS } from '../core/limits.js';

/** A host entry that cannot be expanded; the message says why. */
export class HostPatternError extends OmsrunError {
  override readonly name = 'HostPatternError';
}

const NUMERIC_RANGE = String.raw`\[[0-9]+:[0-9]+(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const V4 = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const V6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;
const IPV4 = new RegExp(`^(?:${V4}\\.){3}${V4}$`, 'i');
// As in Ansible, only the last alternative is anchored at the end.
const IPV6 = new RegExp(
  `^(?:(?:${V6}:){7}${V6}|(?:${V6}:){1,6}:|(?:${V6}:)(?::${V6}){1,6}|(?:${V6}:){2}(?::${V6}){1,5}|(?:${V6}:){3}(?::${V6}){1,4}|` +
    `(?:${V6}:){4}(?::${V6}){1,3}|(?:${V6}:){5}(?::${V6}){1,2}|(?:${V6}:){6}(?::${V6})|:(?::${V6}){1,6}|${V6}?::|` +
    `(?:0:){6}(?:${V6}\\.){3}${V6}|::(?:ffff:)?(?:${V6}\\.){3}${V6}|(?:0:){5}ffff:(?:${V6}\\.){3}${V6}$)`,
  'i',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu');
const BRACKETED_PORT = /^\[(.+)\]:([0-9]+)$/;
const HOST_PORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

// `name:port` or `[ipv6]:port` split into host and port; undefined when the host is no valid name or address (ranges allowed).
export function parseAddress(entry: string): { host: string; port?: number } | undefined {
  let address = entry;
  let port: number | undefined;
  for (const re of [BRACKETED_PORT, HOST_PORT]) {
    const m = re.exec(address);
    if (m) {
      address = m[1]!;
      port = Number(m[2]);
    }
  }
  if (![IPV4, IPV6, HOSTNAME].some((re) => re.test(address))) return undefined;
  return port === undefined ? { host: address } : { host: address, port };
}

// A host entry of an inventory: its port split off, its ranges expanded; an entry that is no valid address is kept whole, as Ansible keeps it.
export function parseHostEntry(entry: string): { names: string[]; port?: number } {
  const { host, port } = parseAddress(entry) ?? { host: entry };
  const names = host.includes('[') ? expandHostRange(host) : [host];
  return port === undefined ? { names } : { names, port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

// `web[01:03]` → web01, web02, web03; `[a:c]` letters; `[1:9:2]` a step; several ranges multiply.
export function expandHostRange(name: string): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  if (close < 0) throw new HostPatternError(`host range in "${name}" has no closing ]`);
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostPatternError(`host range [${bounds.join(':')}] must be begin:end or begin:end:step`);
  const begin = bounds[0] || '0';
  const end = bounds[1]!;
  if (!end) throw new HostPatternError(`host range [${bounds.join(':')}] has no end value`);
  const step = bounds[2] === undefined ? 1 : Number(bounds[2]);
  if (!Number.isSafeInteger(step) || step < 1) throw new HostPatternError(`host range step "${bounds[2]}" must be a whole number of at least 1`);
  const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
  if (width && width !== end.length) throw new HostPatternError(`host range [${begin}:${end}] must give begin and end with the same number of digits`);
  let items: string[];
  if (begin.length === 1 && end.length === 1 && LETTERS.includes(begin) && LETTERS.includes(end)) {
    const from = LETTERS.indexOf(begin);
    const to = LETTERS.indexOf(end);
    if (from > to) throw new HostPatternError(`host range [${begin}:${end}] must have begin <= end`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(LETTERS[i]!);
  } else {
    if (!/^-?[0-9]+$/.test(begin) || !/^-?[0-9]+$/.test(end)) throw new HostPatternError(`host range [${begin}:${end}] must be numbers (01:20) or single letters (a:f)`);
    const from = Number(begin);
    const to = Number(end);
    // Above 2^53 a double no longer counts by one: `i += step` would stand still and fill memory.
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      throw new HostPatternError(`host range [${begin}:${end}] has a number above ${Number.MAX_SAFE_INTEGER}; a range counts hosts, so its numbers are small, as in web[01:20]`);
    }
    if ((to - from) / step >= MAX_RANGE_ITEMS) throw new HostPatternError(`host range [${begin}:${end}] gives more than ${MAX_RANGE_ITEMS} hosts`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(width ? String(i).padStart(width, '0') : String(i));
  }
  const out: string[] = [];
  for (const item of items) {
    for (const h of expandHostRange(`${head}${item}${tail}`)) {
      out.push(h);
      if (out.length > MAX_RANGE_ITEMS) throw new HostPatternError(`"${name}" gives more than ${MAX_RANGE_ITEMS} hosts`);
    }
  }
  return out;
}
