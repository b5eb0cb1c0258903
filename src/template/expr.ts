// Conditions (`when`, `changed_when`, `failed_when`, `until`, `assert.that`) are jexl expressions: no eval, no home-made parser.
import jexlModule from 'jexl';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError } from '../core/errors.js';
import { contextError, snippet, withContext, type RenderContext } from './context.js';
import { findUndefined, rewrite, type Ast } from './expr-ast.js';
import { EXPR_FUNCTIONS, truthy } from './expr-functions.js';
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
// `in` as in Jinja: a list item, a map key or a substring. jexl has no two-word operators, so `x not in y` is
// spelled `x ∉ y` before parsing (see withNotIn).
const NOT_IN = '∉';
function inOp(item: unknown, within: unknown): boolean {
  if (typeof within === 'string') return (typeof item === 'string' || typeof item === 'number') && within.includes(String(item));
  if (Array.isArray(within)) return within.some((e) => e === item);
  if (within && typeof within === 'object') return Object.prototype.hasOwnProperty.call(within, String(item));
  return false;
}
jexl.addBinaryOp('in', 20, inOp);
jexl.addBinaryOp(NOT_IN, 20, (l, r) => !inOp(l, r));
jexl.addUnaryOp('!', (v) => !truthy(v));
jexl.addUnaryOp('not', (v) => !truthy(v));
for (const op of ['!', 'not']) Object.assign(jexl._grammar.elements[op]!, { precedence: Infinity });
for (const f of EXPR_FUNCTIONS) {
  jexl.addFunction(f.name, f.fn);
  jexl.addTransform(f.name, f.fn);
}

/** How conditions are written, in one paragraph, for the README. */
export const EXPR_SYNTAX_DOC =
  'Conditions (when, changed_when, failed_when, until, assert.that) are jexl expressions: `==`, `!=`, `<`, ' +
  '`>=`, `+`, `in` and `not in` (list item, map key or substring), `a.b`, `list[0]`, `list[.field == 1]`, `x ? y : z`. `and`/`&&`, ' +
  '`or`/`||` and `not`/`!` follow Python truthiness (empty lists and maps are false); `not` covers a whole ' +
  'comparison (`not a == b` is `not (a == b)`), and `and` binds tighter than `or`. `x is defined`, ' +
  '`x is not defined` and `defined(x)` test for a variable; any other undefined variable is an error. ' +
  'Functions work both ways: `length(x)` or `x|length`. A condition wrapped in `{{ }}` is accepted. ' +
  '`null`/`None`, `True`/`False` are known names.';

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

// `not in` outside string literals becomes the one-token operator jexl knows.
function withNotIn(expr: string): string {
  if (!/\bnot\s+in\b/.test(expr)) return expr;
  return expr
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\bnot\s+in\b/g, ` ${NOT_IN} `)))
    .join('');
}

function compile(expr: string): Expression {
  const hit = cache.get(expr);
  if (hit) return hit;
  const compiled = jexl.compile(withNotIn(expr)) as unknown as Expression;
  rewrite(compiled._getAst() as Ast);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(expr, compiled);
  return compiled;
}

function cleanMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const token = /^Token (.+?)\s*\(\w+\) unexpected/.exec(msg);
  if (token) return `unexpected ${JSON.stringify(token[1])}`;
  const invalid = /^Invalid expression token: (.*)$/.exec(msg);
  if (invalid) return `invalid token ${JSON.stringify(invalid[1])}`;
  if (msg.startsWith('Unexpected end of expression')) return 'unexpected end of expression';
  return msg;
}

function compileOrThrow(expr: string, ctx: RenderContext | undefined): Expression {
  try {
    return compile(expr);
  } catch (err) {
    throw contextError(ctx, `syntax error in ${snippet(expr)}: ${cleanMessage(err)}`, syntaxHint(expr), err);
  }
}

function undefinedHint(name: string, vars: Record<string, unknown>): string {
  return factHint(name) ?? didYouMean(name.split('.')[0]!, Object.keys(vars)) ?? `use defined(${name}) or ${name}|default(...) when it may be unset`;
}

function scope(vars: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(vars) as Record<string, unknown>;
  for (const [k, v] of Object.entries(CONSTANTS)) if (!Object.prototype.hasOwnProperty.call(vars, k)) out[k] = v;
  return out;
}

// Evaluates one expression; undefined variables and syntax errors are ConfigErrors naming the expression.
export function evaluate(expr: string, vars: Record<string, unknown>, ctx?: RenderContext): unknown {
  const text = unwrap(expr);
  const compiled = compileOrThrow(text, ctx);
  try {
    const missing = findUndefined(compiled._getAst() as Ast, vars, CONSTANTS);
    if (missing) throw contextError(ctx, `undefined variable ${JSON.stringify(missing)} in ${snippet(text)}`, undefinedHint(missing, vars));
  } catch (err) {
    throw err instanceof ConfigError ? withContext(err, ctx) : err;
  }
  try {
    return compiled.evalSync(scope(vars));
  } catch (err) {
    if (err instanceof ConfigError) throw withContext(err, ctx);
    throw contextError(ctx, `cannot evaluate ${snippet(text)}: ${cleanMessage(err)}`, undefined, err);
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
    const hint = syntaxHint(text);
    return `${cleanMessage(err)}${hint ? ` (${hint})` : ''}`;
  }
}

// Executors use the same truthiness for `until` and registered results.
export { truthy };
