// Conditions (`when`, `changed_when`, `failed_when`, `until`, `assert.that`) are jexl expressions: no eval, no home-made parser.
import jexlModule from 'jexl';
import { didYouMean } from '../core/did-you-mean.js';
import { describeValue } from '../core/key-path.js';
import { ConfigError, OmsrunError } from '../core/errors.js';
import { contextError, snippet, withContext, type RenderContext } from './context.js';
import { ExprSyntaxError, findUndefined, rewrite, testFunction, type Ast } from './expr-ast.js';
import { AT_FN, DICT_FN, INDEX_FN, jinjaToJexl, KW_FN, NOT_IN, SLICE_FN } from './expr-jinja.js';
import { callSpec, FILTERS, KwArg, TESTS, truthy, type FilterSpec } from './filters/index.js';
import { within } from './filters/tests.js';
import { equal } from './filters/values.js';
import { factHint } from '../facts/names.js';

type OnDemand = { eval: () => { then: (f: (v: unknown) => unknown) => unknown } };
type Expression = { evalSync: (context: object) => unknown; _getAst: () => unknown };
interface LazyOps {
  addBinaryOp(op: string, precedence: number, fn: (l: OnDemand, r: OnDemand) => unknown, manualEval: true): void;
}

const jexl = new jexlModule.Jexl();
const lazy = jexl as unknown as LazyOps;
const andOp = (l: OnDemand, r: OnDemand): unknown => l.eval().then((v) => (truthy(v) ? r.eval() : v));
const orOp = (l: OnDemand, r: OnDemand): unknown => l.eval().then((v) => (truthy(v) ? v : r.eval()));
lazy.addBinaryOp('&&', 10, andOp, true);
lazy.addBinaryOp('and', 10, andOp, true);
lazy.addBinaryOp('||', 9, orOp, true);
lazy.addBinaryOp('or', 9, orOp, true);
jexl.addBinaryOp('is', 20, () => {
  throw new Error('"is" was not rewritten');
});
// Lists and maps compare by value, as in Jinja (`admins == ['ann']`); scalars keep jexl's ==.
const same = (l: unknown, r: unknown): boolean => (l !== null && r !== null && typeof l === 'object' && typeof r === 'object' ? equal(l, r) : l == r);
jexl.addBinaryOp('==', 20, same);
jexl.addBinaryOp('!=', 20, (l, r) => !same(l, r));
jexl.addBinaryOp('~', 30, (l, r) => print(l) + print(r));
jexl.addBinaryOp('**', 50, (l, r) => (l as number) ** (r as number));
// `in` as in Jinja: a list item, a map key or a substring. jexl has no two-word operators, so `x not in y` is
// spelled `x ∉ y` before parsing (see jinjaToJexl).
jexl.addBinaryOp('in', 20, within);
jexl.addBinaryOp(NOT_IN, 20, (l, r) => !within(l, r));
jexl.addUnaryOp('!', (v) => !truthy(v));
jexl.addUnaryOp('not', (v) => !truthy(v));
for (const op of ['!', 'not']) Object.assign(jexl._grammar.elements[op]!, { precedence: Infinity });
// The value of a function call `name(x, ...)` is its first positional argument (`dict(a=1)` has none).
function asFunction(spec: FilterSpec, kind: 'filter' | 'test') {
  return (...raw: unknown[]): unknown =>
    raw[0] instanceof KwArg ? callSpec(spec, undefined, raw, kind) : callSpec(spec, raw[0], raw.slice(1), kind);
}
for (const spec of FILTERS) {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    jexl.addFunction(name, asFunction(spec, 'filter'));
    jexl.addTransform(name, (value: unknown, ...raw: unknown[]) => callSpec(spec, value, raw, 'filter'));
  }
}
for (const spec of TESTS) for (const name of [spec.name, ...(spec.aliases ?? [])]) jexl.addFunction(testFunction(name), asFunction(spec, 'test'));
const indexOf = (subject: unknown, key: unknown): unknown => {
  if (subject === null || subject === undefined) return undefined;
  if ((Array.isArray(subject) || typeof subject === 'string') && typeof key === 'number') return subject.at(key);
  return typeof subject === 'object' && Object.hasOwn(subject, String(key)) ? (subject as Record<string, unknown>)[String(key)] : undefined;
};
jexl.addFunction(INDEX_FN, indexOf);
jexl.addTransform(AT_FN, indexOf);
// Python's slice of a list or a string: negative bounds count from the end, a step may be negative.
jexl.addTransform(SLICE_FN, (subject: unknown, start: unknown, stop: unknown, step: unknown) => {
  if (!Array.isArray(subject) && typeof subject !== 'string') return undefined;
  const items = [...subject];
  // Python's slice indices are whole numbers; a tiny step such as 1/1000000000 would push items until memory ran out.
  for (const v of [start, stop, step]) if (v !== undefined && v !== null && !Number.isInteger(v)) throw new Error(`slice indices must be whole numbers, got ${describeValue(v)}`);
  const by = typeof step === 'number' ? step : 1;
  if (by === 0) throw new Error('slice step cannot be zero');
  const n = items.length;
  const norm = (v: unknown, dflt: number, lo: number, hi: number) => (typeof v !== 'number' ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi));
  const [from, to] = by > 0 ? [norm(start, 0, 0, n), norm(stop, n, 0, n)] : [norm(start, n - 1, -1, n - 1), norm(stop, -1, -1, n - 1)];
  const out: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(items[i]);
  return typeof subject === 'string' ? out.join('') : out;
});
jexl.addFunction(KW_FN, (name: unknown, value: unknown) => new KwArg(String(name), value));
jexl.addFunction(DICT_FN, (...kv: unknown[]) => {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < kv.length; i += 2) out[String(kv[i])] = kv[i + 1];
  return out;
});

/** How an expression's value reads inside text: nothing for null, JSON for lists and maps. */
export function print(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** How conditions are written, in one paragraph, for the README. */
export const EXPR_SYNTAX_DOC =
  'Conditions (when, changed_when, failed_when, until, assert.that) are Ansible expressions evaluated by jexl: `==`, `!=`, `<`, ' +
  '`>=`, `+`, `~`, `in` and `not in` (list item, map key or substring), `a.b`, `a[\'b\']`, `list[0]`, `x ? y : z`, literals ' +
  '(`\'text\'`, `[1, 2]`, `{\'a\': 1}`, `None`, `True`). `and`/`or`/`not` follow Python truthiness (empty lists and maps are ' +
  'false); `not a == b` is `not (a == b)`. Filters `x | name(args, key=value)` and tests `x is name(args)` come from one ' +
  'table shared with templates; an undefined variable is an error except under `default`, `mandatory`, `defined` and ' +
  '`undefined`. A condition wrapped in `{{ }}` is accepted.';

/** Names usable without defining them; variables of the same name win. */
const CONSTANTS: Record<string, unknown> = { null: null, none: null, None: null, True: true, False: false };

const CACHE_MAX = 5000;
const cache = new Map<string, Expression>();

/** Removes one pair of surrounding `{{ }}`, for `when: "{{ x }}"` written the Ansible way. */
function unwrap(expr: string): string {
  const m = /^\s*\{\{([^]*)\}\}\s*$/.exec(expr);
  return m && !m[1]!.includes('{{') && !m[1]!.includes('}}') ? m[1]!.trim() : expr.trim();
}

function syntaxHint(expr: string): string | undefined {
  if (expr.includes('{{')) return 'conditions are expressions, not templates: write variable names without {{ }}';
  if (/[^=!<>]=[^=]/.test(expr)) return 'compare with "==", not "="';
  return undefined;
}

function compile(expr: string): Expression {
  const hit = cache.get(expr);
  if (hit) return hit;
  const compiled = jexl.compile(jinjaToJexl(expr)) as unknown as Expression;
  rewrite(compiled._getAst() as Ast);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(expr, compiled);
  return compiled;
}

function cleanMessage(err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/^(?:FilterError|Error): /, '');
  const token = /^Token (.+?)\s*\(\w+\) unexpected/.exec(msg);
  if (token) return `unexpected ${JSON.stringify(token[1])}`;
  const invalid = /^Invalid expression token: (.*)$/.exec(msg);
  if (invalid) return `invalid token ${JSON.stringify(invalid[1])}`;
  if (msg.startsWith('Unexpected end of expression')) return 'unexpected end of expression';
  return msg;
}

/** Why an expression could not give a value; `evaluate` and templates each word it with their place. */
export class ExprFailure extends OmsrunError {
  override readonly name = 'ExprFailure';
  constructor(
    readonly kind: 'syntax' | 'undefined' | 'eval',
    /** The reason (syntax, eval) or the undefined variable's path. */
    readonly detail: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }

  /** `syntax error in "x |": unexpected end of expression`, `undefined variable "x" in "x + 1"`, ... */
  describe(text: string): string {
    if (this.kind === 'undefined') return `undefined variable ${JSON.stringify(this.detail)} in ${snippet(text)}`;
    return `${this.kind === 'syntax' ? 'syntax error in' : 'cannot evaluate'} ${snippet(text)}: ${this.detail}`;
  }
}

function compileOrFail(expr: string): Expression {
  try {
    return compile(expr);
  } catch (err) {
    throw new ExprFailure('syntax', cleanMessage(err), err instanceof ExprSyntaxError ? err.hint : syntaxHint(expr), { cause: err });
  }
}

function scope(vars: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(vars) as Record<string, unknown>;
  for (const [k, v] of Object.entries(CONSTANTS)) if (!Object.prototype.hasOwnProperty.call(vars, k)) out[k] = v;
  return out;
}

// Evaluates one expression (without `{{ }}`); throws ExprFailure, or the ConfigError of a variable that failed to render.
export function evaluateBare(text: string, vars: Record<string, unknown>, undefinedHint: (name: string) => string): unknown {
  const compiled = compileOrFail(text);
  const missing = findUndefined(compiled._getAst() as Ast, vars, CONSTANTS);
  if (missing) throw new ExprFailure('undefined', missing, factHint(missing) ?? didYouMean(missing.split('.')[0]!, Object.keys(vars)) ?? undefinedHint(missing));
  try {
    return compiled.evalSync(scope(vars));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ExprFailure('eval', cleanMessage(err), undefined, { cause: err });
  }
}

// Evaluates one expression; undefined variables and syntax errors are ConfigErrors naming the expression.
export function evaluate(expr: string, vars: Record<string, unknown>, ctx?: RenderContext): unknown {
  const text = unwrap(expr);
  try {
    return evaluateBare(text, vars, (name) => `use defined(${name}) or ${name}|default(...) when it may be unset`);
  } catch (err) {
    if (err instanceof ConfigError) throw withContext(err, ctx);
    if (err instanceof ExprFailure) throw contextError(ctx, err.describe(text), err.hint, err.cause ?? err);
    throw err;
  }
}

// A condition list holds when every entry is true (literal booleans are taken as they are).
export function evalConditions(conds: readonly (string | boolean)[], vars: Record<string, unknown>, ctx?: RenderContext): boolean {
  return conds.every((c) => (typeof c === 'boolean' ? c : truthy(evaluate(c, vars, ctx))));
}

// The loader checks expression syntax before anything runs; returns the error message or undefined.
export function checkExprSyntax(expr: string): string | undefined {
  const text = unwrap(expr);
  try {
    compile(text);
    return undefined;
  } catch (err) {
    const hint = err instanceof ExprSyntaxError ? err.hint : syntaxHint(text);
    return `${cleanMessage(err)}${hint ? ` (${hint})` : ''}`;
  }
}

// Executors use the same truthiness for `until` and registered results.
export { truthy };
