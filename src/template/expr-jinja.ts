// Jinja spellings jexl does not know, rewritten token by token before jexl parses the expression:
// `x not in y`, `x is test(args)`, keyword arguments `f(a, name=value)` and map literals `{'key': value}`.

/** jexl's one-token spelling of `not in`. */
export const NOT_IN = '∉';
/** Prefix of a test name after `is` (`x is in(y)` must not read `in` as the operator). */
export const TEST_PREFIX = '__is_';
/** Function building one keyword argument: `__kw("name", value)`. */
export const KW_FN = '__kw';
/** Function reading `x[key]` as Python does (negative list indexes count from the end): `__index(x, key)`. */
export const INDEX_FN = '__index';
/** Function building a map from alternating keys and values: `__dict(k1, v1, k2, v2)`. */
export const DICT_FN = '__dict';

/** A mistake found while reading an expression (an unknown filter or test, a template inside a condition), with a hint. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const TOKEN = /\s+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|==|!=|<=|>=|\/\/|\*\*|&&|\|\||[^]/gy;
const WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);

/** `x[1:3]` and `(expr)[0]` become `x | __slice(1, 3)` and `(expr) | __at(0)`. */
export const SLICE_FN = '__slice';
export const AT_FN = '__at';

interface Frame {
  kind: 'call' | 'group' | 'list' | 'dict' | 'index';
  /** index frames: where the `[` was written in the output, and whether a `:` made it a slice. */
  at?: number;
  slice?: boolean;
  /** index frames: `[` after `)` or `]` of a call or group, which jexl cannot index. */
  afterCall?: boolean;
  argStart: boolean;
  kwOpen: boolean;
  pendingQuestion: number;
}

export function tokenize(text: string): string[] {
  TOKEN.lastIndex = 0;
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text))) out.push(m[0]);
  return out;
}

const isSpace = (t: string | undefined): boolean => t !== undefined && /^\s+$/.test(t);
const isIdent = (t: string | undefined): boolean => t !== undefined && /^[A-Za-z_$][\w$]*$/.test(t);

function nextSolid(tokens: string[], i: number): number {
  let j = i;
  while (isSpace(tokens[j])) j++;
  return j;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

// A Python string literal's escapes (`\n`, `\t`, `\\`, `\'`, `\xhh`, `\uhhhh`); unknown ones such as `\d` stay as written.
function pyUnescape(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (all, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? all),
  );
}

/** Stands for a backslash inside string literals handed to jexl, which unescapes only the first `\\\\`; see restoreBackslashes. */
const BACKSLASH = '\uE000';

// A string as jexl reads it: `\"` is its one reliable escape.
function jexlString(value: string): string {
  return `"${value.replace(/\\/g, BACKSLASH).replace(/"/g, '\\"')}"`;
}

// The text of a string literal as the expression wrote it.
export function restoreBackslashes(value: string): string {
  return value.includes(BACKSLASH) ? value.replace(/\uE000/g, '\\') : value;
}

type Tree = (string | { open: string; inner: Tree; close: string })[];

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function toTree(tokens: string[], at = { i: 0 }, close?: string): Tree {
  const out: Tree = [];
  while (at.i < tokens.length) {
    const t = tokens[at.i++]!;
    if (t === close) return out;
    if (CLOSING[t]) {
      const inner = toTree(tokens, at, CLOSING[t]);
      out.push({ open: t, inner, close: tokens[at.i - 1] === CLOSING[t] ? CLOSING[t]! : '' });
    } else out.push(t);
  }
  return out;
}

function flat(tree: Tree): string[] {
  return tree.flatMap((n) => (typeof n === 'string' ? [n] : [n.open, ...flat(n.inner), n.close]));
}

// `a if c else b` (Jinja's conditional expression) as `(c) ? (a) : (b)`, in every comma-separated part of every bracket.
function inlineIf(tree: Tree): Tree {
  const parts: Tree[] = [[]];
  for (const n of tree) {
    const node = typeof n === 'string' ? n : { ...n, inner: inlineIf(n.inner) };
    if (node === ',' || node === ':') parts.push([node], []);
    else parts[parts.length - 1]!.push(node);
  }
  return parts.flatMap((part) => {
    const solid = part.map((n, i) => [n, i] as const).filter(([n]) => typeof n !== 'string' || !/^\s+$/.test(n));
    const keyword = solid.length > 2 && typeof solid[0]![0] === 'string' && isIdent(solid[0]![0]) && solid[1]![0] === '=' ? solid[1]![1] + 1 : 0;
    const at = part.indexOf('if');
    if (at <= keyword) return part;
    const rest = part.slice(at + 1);
    const otherwise = rest.indexOf('else');
    const [cond, alt] = otherwise < 0 ? [rest, ['null']] : [rest.slice(0, otherwise), inlineIf(rest.slice(otherwise + 1))];
    return [...part.slice(0, keyword), '(', ...cond, ') ? (', ...part.slice(keyword, at), ') : (', ...alt, ')'];
  });
}

// `[:3]`, `[1:]`, `[::2]`: the empty bounds of a slice (written as commas) become null.
function fillSlice(out: string[], at: number): void {
  const parts = out.slice(at + 1).join('').split(',');
  if (parts.length > 3) throw new ExprSyntaxError('a slice takes at most start:stop:step');
  const filled = [...parts, 'null', 'null'].slice(0, 3).map((p) => (p.trim() === '' ? 'null' : p));
  out.splice(at + 1, out.length - at - 1, filled.join(','));
}

// Rewrites one expression; text inside string literals is never touched.
export function jinjaToJexl(text: string): string {
  const words = tokenize(text);
  const tokens = words.includes('if') ? flat(inlineIf(toTree(words))) : words;
  const out: string[] = [];
  const stack: Frame[] = [];
  let last: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isSpace(t)) {
      out.push(t);
      continue;
    }
    const top = stack[stack.length - 1];
    if (top?.kind === 'call' && top.argStart && isIdent(t)) {
      const eq = nextSolid(tokens, i + 1);
      if (tokens[eq] === '=') {
        out.push(`${KW_FN}(${JSON.stringify(t)}, `);
        top.kwOpen = true;
        top.argStart = false;
        i = eq;
        last = '=';
        continue;
      }
    }
    if (top) top.argStart = false;
    if (t[0] === '"' || t[0] === "'") {
      out.push(jexlString(pyUnescape(t.slice(1, -1))));
      last = t;
      continue;
    }
    if (t === '-' && /^\d/.test(tokens[nextSolid(tokens, i + 1)] ?? '') && (last === ',' || last === ':' || last === undefined)) {
      const j = nextSolid(tokens, i + 1);
      out.push(`(-${tokens[j]})`);
      i = j;
      last = tokens[j];
      continue;
    }
    if (t === 'not' && tokens[nextSolid(tokens, i + 1)] === 'in') {
      out.push(NOT_IN);
      i = nextSolid(tokens, i + 1);
    } else if (t === 'is') {
      out.push(t);
      let j = nextSolid(tokens, i + 1);
      if (tokens[j] === 'not') {
        out.push(' not');
        j = nextSolid(tokens, j + 1);
      }
      if (isIdent(tokens[j])) {
        out.push(` ${TEST_PREFIX}${tokens[j]}`);
        i = j;
        last = `${TEST_PREFIX}${tokens[j]}`;
        continue;
      }
    } else if (t === '(') {
      const call = last !== undefined && isIdent(last) && !WORDS.has(last);
      stack.push({ kind: call ? 'call' : 'group', argStart: call, kwOpen: false, pendingQuestion: 0 });
      out.push(t);
    } else if (t === '.' && isIdent(tokens[i + 1]) && tokens[nextSolid(tokens, i + 2)] === '(' && last !== undefined && !WORDS.has(last)) {
      // A Python method call (`d.keys()`, `s.find('x')`) is the filter of that name applied to the value.
      out.push('|');
    } else if (t === '[' && last !== undefined && (isIdent(last) || last === ')' || last === ']' || last[0] === '"' || last[0] === "'") && !WORDS.has(last)) {
      stack.push({ kind: 'index', argStart: false, kwOpen: false, pendingQuestion: 0, at: out.length, afterCall: last === ')' });
      out.push(t);
    } else if (t === ':' && top?.kind === 'index' && top.pendingQuestion === 0) {
      top.slice = true;
      out.push(',');
    } else if (t === '[') {
      stack.push({ kind: 'list', argStart: false, kwOpen: false, pendingQuestion: 0 });
      out.push(t);
    } else if (t === '{') {
      if (tokens[nextSolid(tokens, i + 1)] === '{') {
        throw new ExprSyntaxError('unexpected "{"', 'conditions are expressions, not templates: write variable names without {{ }}');
      }
      stack.push({ kind: 'dict', argStart: false, kwOpen: false, pendingQuestion: 0 });
      out.push(`${DICT_FN}(`);
    } else if (t === ',' && top) {
      if (top.kwOpen) out.push(')');
      top.kwOpen = false;
      top.argStart = top.kind === 'call';
      out.push(t);
    } else if (t === ']' && top?.kind === 'index' && (top.slice || top.afterCall)) {
      stack.pop();
      out[top.at!] = `|${top.slice ? SLICE_FN : AT_FN}(`;
      if (top.slice) fillSlice(out, top.at!);
      out.push(')');
    } else if ((t === ')' || t === ']' || t === '}') && top) {
      if (top.kwOpen) out.push(')');
      stack.pop();
      out.push(t === '}' && top.kind === 'dict' ? ')' : t);
    } else if (t === '?' && top) {
      top.pendingQuestion++;
      out.push(t);
    } else if (t === ':' && top?.kind === 'dict' && top.pendingQuestion === 0) {
      out.push(',');
    } else {
      if (t === ':' && top && top.pendingQuestion > 0) top.pendingQuestion--;
      out.push(t);
    }
    last = t;
  }
  return out.join('');
}
