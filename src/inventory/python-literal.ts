// INI inventory values are Python literals, read the way Python's ast.literal_eval reads them (never evaluated as code).
import { OmsrunError } from '../core/errors.js';

/** What a value parses to; `undefined` means "not a Python literal", and the caller keeps the text. */
export function parsePythonLiteral(text: string): { value: unknown } | undefined {
  const parser = new LiteralParser(text);
  try {
    const node = parser.top();
    return { value: toData(node, text) };
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}

class NotLiteral extends OmsrunError {
  constructor() {
    super('not a Python literal');
  }
}

type Node =
  | { kind: 'num'; value: number; complex: boolean; float: boolean; start: number; end: number }
  | { kind: 'signed'; value: number; complex: boolean; float: boolean; start: number; end: number }
  | { kind: 'complexSum'; start: number; end: number }
  | { kind: 'str'; value: string; bytes: boolean }
  | { kind: 'const'; value: boolean | null | 'ellipsis' }
  | { kind: 'list' | 'tuple' | 'set'; items: Node[] }
  | { kind: 'dict'; entries: [Node, Node][] };

// Python's tokenizer refuses more than 200 nested brackets.
const MAX_DEPTH = 200;
const IDENT = /[\p{L}\p{N}_]/u;

class LiteralParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  // An expression list, as in `eval` mode: `1, 2` is a tuple.
  top(): Node {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    const first = this.expr();
    this.space();
    if (this.peek() !== ',') return this.end(first);
    const items = [first];
    while (this.eat(',')) {
      this.space();
      if (this.atEnd()) break;
      items.push(this.expr());
      this.space();
    }
    return this.end({ kind: 'tuple', items });
  }

  private end(node: Node): Node {
    this.space();
    if (!this.atEnd()) throw new NotLiteral();
    return node;
  }

  // An operand, or `number ± imaginary` (the one binary operation literal_eval accepts).
  private expr(): Node {
    const left = this.unary();
    this.space();
    const op = this.peek();
    if ((op !== '+' && op !== '-') || (left.kind !== 'num' && left.kind !== 'signed') || left.complex) return left;
    this.pos++;
    this.space();
    const right = this.unary();
    if (right.kind !== 'num' || !right.complex) throw new NotLiteral();
    return { kind: 'complexSum', start: left.start, end: right.end };
  }

  private unary(): Node {
    this.space();
    const start = this.pos;
    const op = this.peek();
    if (op !== '+' && op !== '-') return this.atom();
    this.pos++;
    const operand = this.unary();
    if (operand.kind !== 'num') throw new NotLiteral();
    return { kind: 'signed', value: op === '-' ? -operand.value : operand.value, complex: operand.complex, float: operand.float, start, end: operand.end };
  }

  private atom(): Node {
    this.space();
    const c = this.peek();
    if (c === '(' || c === '[' || c === '{') return this.nested(() => this.bracket(c));
    if (this.src.startsWith('...', this.pos)) {
      this.pos += 3;
      return { kind: 'const', value: 'ellipsis' };
    }
    if (/[0-9.]/.test(c)) return this.number();
    const str = this.strings();
    if (str) return str;
    const word = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(this.src.slice(this.pos))?.[0];
    if (!word) throw new NotLiteral();
    this.pos += word.length;
    if (word === 'True') return { kind: 'const', value: true };
    if (word === 'False') return { kind: 'const', value: false };
    if (word === 'None') return { kind: 'const', value: null };
    this.space();
    if (word === 'set' && this.eat('(')) {
      this.space();
      if (this.eat(')')) return { kind: 'set', items: [] };
    }
    throw new NotLiteral();
  }

  private nested(parse: () => Node): Node {
    if (++this.depth > MAX_DEPTH) throw new NotLiteral();
    const node = parse();
    this.depth--;
    return node;
  }

  private bracket(open: string): Node {
    this.pos++;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    const items: Node[] = [];
    const entries: [Node, Node][] = [];
    let commas = 0;
    let isDict: boolean | undefined = open === '{' ? undefined : false;
    for (;;) {
      this.space();
      if (this.eat(close)) break;
      if (items.length + entries.length > commas) throw new NotLiteral();
      const item = this.expr();
      this.space();
      if (isDict === undefined) isDict = this.peek() === ':';
      if (isDict) {
        if (!this.eat(':')) throw new NotLiteral();
        entries.push([item, this.expr()]);
        this.space();
      } else {
        items.push(item);
      }
      if (this.eat(',')) commas++;
    }
    if (open === '[') return { kind: 'list', items };
    if (open === '{') return isDict ? { kind: 'dict', entries } : isDict === undefined ? { kind: 'dict', entries: [] } : { kind: 'set', items };
    // `(x)` only groups; a tuple needs a comma or nothing at all.
    if (items.length === 1 && commas === 0) return items[0]!;
    return { kind: 'tuple', items };
  }

  private number(): Node {
    const rest = this.src.slice(this.pos);
    const start = this.pos;
    const digits = '[0-9](?:_?[0-9])*';
    const based = /^0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/.exec(rest);
    const decimal = new RegExp(`^(?:(?:(?:${digits})?\\.${digits}|${digits}\\.?)(?:[eE][+-]?${digits})?)([jJ])?`).exec(rest);
    const m = based ?? decimal;
    if (!m) throw new NotLiteral();
    const text = m[0];
    this.pos += text.length;
    if (IDENT.test(this.peek())) throw new NotLiteral();
    const plain = text.replace(/_/g, '');
    if (based) return { kind: 'num', value: Number(BigInt(plain)), complex: false, float: false, start, end: this.pos };
    const complex = m[1] !== undefined;
    const isInt = /^[0-9]+$/.test(plain);
    // Python refuses leading zeros in a decimal integer (`010`), but not in floats or imaginary numbers.
    if (isInt && !complex && /^0+[1-9]/.test(plain)) throw new NotLiteral();
    const value = isInt && !complex ? Number(BigInt(plain)) : Number(complex ? plain.slice(0, -1) : plain);
    return { kind: 'num', value, complex, float: !isInt, start, end: this.pos };
  }

  // Adjacent string literals join (`'a' 'b'`); mixing bytes and text, or an f-string, is not a literal.
  private strings(): Node | undefined {
    let out: { kind: 'str'; value: string; bytes: boolean } | undefined;
    for (;;) {
      const save = this.pos;
      this.space();
      const prefix = /^([rRuUbBfF]{0,2})(['"])/.exec(this.src.slice(this.pos));
      if (!prefix || !/^(|[rRuU]|[fF][rR]?|[rR][fFbB]|[bB][rR]?)$/.test(prefix[1]!)) {
        this.pos = save;
        return out;
      }
      const flags = prefix[1]!.toLowerCase();
      if (flags.includes('f')) throw new NotLiteral();
      this.pos += flags.length;
      const part = readString(this.src, this.pos, flags.includes('r'), flags.includes('b'));
      this.pos = part.end;
      if (out && out.bytes !== flags.includes('b')) throw new NotLiteral();
      out = { kind: 'str', value: (out?.value ?? '') + part.value, bytes: flags.includes('b') };
    }
  }

  private space(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\f' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') this.pos = this.src.length;
      else if (c === '\\' && /^\\\r?\n/.test(this.src.slice(this.pos))) this.pos += this.src[this.pos + 1] === '\r' ? 3 : 2;
      else return;
    }
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

// One quoted literal starting at its quote: its text (escapes applied unless raw) and where it ends.
function readString(src: string, at: number, raw: boolean, bytes: boolean): { value: string; end: number } {
  const quote = src.startsWith(src[at]!.repeat(3), at) ? src[at]!.repeat(3) : src[at]!;
  let i = at + quote.length;
  let value = '';
  for (;;) {
    if (i >= src.length) throw new NotLiteral();
    if (src.startsWith(quote, i)) break;
    const c = src[i]!;
    if (quote.length === 1 && c === '\n') throw new NotLiteral();
    if (bytes && c.charCodeAt(0) > 0x7f) throw new NotLiteral();
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const next = src[i + 1];
    if (next === undefined) throw new NotLiteral();
    if (raw) {
      value += c + next;
      i += 2;
      continue;
    }
    const escaped = escape(src, i, bytes);
    value += escaped.text;
    i = escaped.end;
  }
  const end = i + quote.length;
  return { value: bytes ? Buffer.from(value, 'latin1').toString('utf8') : value, end };
}

function escape(src: string, at: number, bytes: boolean): { text: string; end: number } {
  const next = src[at + 1]!;
  if (next in SIMPLE_ESCAPES) return { text: SIMPLE_ESCAPES[next]!, end: at + 2 };
  const octal = /^[0-7]{1,3}/.exec(src.slice(at + 1));
  if (octal) return { text: String.fromCharCode(parseInt(octal[0], 8) & (bytes ? 0xff : 0x1ff)), end: at + 1 + octal[0].length };
  const width = next === 'x' ? 2 : bytes ? 0 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (width > 0) {
    const hex = src.slice(at + 2, at + 2 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new NotLiteral();
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw new NotLiteral();
    return { text: String.fromCodePoint(code), end: at + 2 + width };
  }
  // \N{NAME} needs Unicode's name table; such a value stays text.
  if (next === 'N' && !bytes) throw new NotLiteral();
  return { text: `\\${next}`, end: at + 2 };
}

// Python objects as JSON-like data: tuples and sets become lists, bytes text; complex numbers and `...` keep their source text.
function toData(node: Node, src: string): unknown {
  switch (node.kind) {
    case 'num':
    case 'signed':
      return node.complex ? src.slice(node.start, node.end) : node.value;
    case 'complexSum':
      return src.slice(node.start, node.end);
    case 'str':
      return node.value;
    case 'const':
      return node.value === 'ellipsis' ? '...' : node.value;
    case 'list':
    case 'tuple':
      return node.items.map((n) => toData(n, src));
    case 'set': {
      const seen = new Map<string, unknown>();
      for (const n of node.items) {
        const k = hashKey(n, src);
        if (!seen.has(k)) seen.set(k, toData(n, src));
      }
      return [...seen.values()];
    }
    case 'dict': {
      const keys = new Map<string, string>();
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) {
        const hk = hashKey(k, src);
        const name = keys.get(hk) ?? jsonKey(k);
        keys.set(hk, name);
        Object.defineProperty(out, name, { value: toData(v, src), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

// Python equality for hashable keys: 1, 1.0 and True are the same key; lists, dicts and sets are unhashable.
function hashKey(node: Node, src: string): string {
  if (node.kind === 'num' || node.kind === 'signed') return node.complex ? `c:${src.slice(node.start, node.end)}` : `n:${node.value}`;
  if (node.kind === 'const') return typeof node.value === 'boolean' ? `n:${Number(node.value)}` : `k:${String(node.value)}`;
  if (node.kind === 'str') return `${node.bytes ? 'b' : 's'}:${node.value}`;
  if (node.kind === 'tuple') return `t:[${node.items.map((n) => hashKey(n, src)).join(',')}]`;
  if (node.kind === 'complexSum') return `c:${src.slice(node.start, node.end)}`;
  throw new NotLiteral();
}

// The key JSON gives a Python dict key (json.dumps writes 1 as "1", True as "true", None as "null").
function jsonKey(node: Node): string {
  if (node.kind === 'str' && !node.bytes) return node.value;
  if (node.kind === 'num' || node.kind === 'signed') {
    if (node.complex) throw new NotLiteral();
    return node.float && Number.isInteger(node.value) && Math.abs(node.value) < 1e16 ? `${node.value}.0` : String(node.value);
  }
  if (node.kind === 'const' && node.value !== 'ellipsis') return String(node.value);
  throw new NotLiteral();
}
