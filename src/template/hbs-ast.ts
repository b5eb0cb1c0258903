// Rewrites a parsed template so that every variable lookup goes through a checking helper.
import type {} from 'handlebars';

type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;

/** Name of the helper that checks and prints one variable (`{{x}}` becomes `{{__var x}}`). */
export const VAR_HELPER = '__var';
/** Name of the helper that prints the result of another helper (`{{upper x}}` becomes `{{__out (upper x)}}`). */
export const OUT_HELPER = '__out';
/** Name of the helper that captures the native value of a single-expression template. */
export const NATIVE_HELPER = '__native';

/** Key of a node's start position, as Handlebars reports it in `options.loc`. */
export function locKey(loc: { start: { line: number; column: number } } | undefined): string {
  return loc ? `${loc.start.line}:${loc.start.column}` : '';
}

/** Helper calls by position, to name the argument that was undefined. */
export type CallNode = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;
// Helper calls keyed by locKey.
export type CallIndex = Map<string, CallNode>;

function isPath(e: Expr): e is hbs.AST.PathExpression {
  return e.type === 'PathExpression';
}

function isHelperName(path: Expr, helpers: Record<string, unknown>): boolean {
  return isPath(path) && path.parts.length === 1 && !path.data && path.depth === 0 && path.original in helpers;
}

function visitExprs(exprs: Expr[], hash: hbs.AST.Hash | undefined, calls: CallIndex): void {
  for (const e of [...exprs, ...(hash?.pairs.map((p) => p.value) ?? [])]) {
    if (e.type === 'SubExpression') {
      const sub = e as hbs.AST.SubExpression;
      calls.set(locKey(sub.loc), sub);
      visitExprs(sub.params, sub.hash, calls);
    }
  }
}

function visit(node: Node | undefined, helpers: Record<string, unknown>, calls: CallIndex): void {
  if (!node) return;
  if (node.type === 'Program') {
    for (const s of (node as hbs.AST.Program).body) visit(s, helpers, calls);
  } else if (node.type === 'MustacheStatement') {
    const m = node as hbs.AST.MustacheStatement;
    if (m.params.length === 0 && !m.hash && isPath(m.path) && !isHelperName(m.path, helpers)) {
      m.params = [m.path];
      m.path = helperPath(VAR_HELPER, m.path.loc);
      calls.set(locKey(m.loc), m);
    } else if (isPath(m.path) && m.path.original === NATIVE_HELPER) {
      calls.set(locKey(m.loc), m);
    } else if (isPath(m.path)) {
      const sub = asSubExpression(m);
      m.params = [sub];
      m.hash = undefined as unknown as hbs.AST.Hash;
      m.path = helperPath(OUT_HELPER, m.loc);
    }
    visitExprs(m.params, m.hash, calls);
  } else if (node.type === 'BlockStatement') {
    const b = node as hbs.AST.BlockStatement;
    calls.set(locKey(b.loc), b);
    visitExprs(b.params, b.hash, calls);
    visit(b.program, helpers, calls);
    visit(b.inverse, helpers, calls);
  }
}

function asSubExpression(m: hbs.AST.MustacheStatement): hbs.AST.SubExpression {
  return { type: 'SubExpression', path: m.path as hbs.AST.PathExpression, params: m.params, hash: m.hash, loc: m.loc };
}

function helperPath(name: string, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

/** Rewrites `ast` in place (see VAR_HELPER) and indexes its helper calls. */
export function rewriteTemplate(ast: hbs.AST.Program, helpers: Record<string, unknown>): CallIndex {
  const calls: CallIndex = new Map();
  visit(ast, helpers, calls);
  return calls;
}

/** True when the template is exactly one `{{ expression }}`. */
export function singleMustache(ast: hbs.AST.Program): hbs.AST.MustacheStatement | undefined {
  const [only] = ast.body;
  return ast.body.length === 1 && only?.type === 'MustacheStatement' ? (only as hbs.AST.MustacheStatement) : undefined;
}

/** Turns `{{ expr }}` into `{{__native expr}}`, a helper call whose argument is the whole expression. */
export function wrapNative(m: hbs.AST.MustacheStatement, helpers: Record<string, unknown>): void {
  const plainVar = m.params.length === 0 && !m.hash && !isHelperName(m.path, helpers);
  const arg: Expr = plainVar ? m.path : asSubExpression(m);
  m.params = [arg];
  const strict: hbs.AST.BooleanLiteral = { type: 'BooleanLiteral', value: plainVar, original: plainVar, loc: m.loc };
  m.hash = { type: 'Hash', pairs: [{ type: 'HashPair', key: 'strict', value: strict, loc: m.loc }], loc: m.loc };
  m.path = helperPath(NATIVE_HELPER, m.loc);
}

/** How to name argument `index` (or hash key) of a helper call in an error message. */
export function describeArg(call: CallNode | undefined, arg: number | string): string | undefined {
  if (!call) return undefined;
  const expr = typeof arg === 'number' ? call.params[arg] : call.hash?.pairs.find((p) => p.key === arg)?.value;
  if (!expr) return undefined;
  if (isPath(expr)) return expr.original;
  if (expr.type === 'SubExpression') {
    const sub = expr as hbs.AST.SubExpression;
    return isPath(sub.path) ? `(${sub.path.original} ...)` : undefined;
  }
  return undefined;
}

