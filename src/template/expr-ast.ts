// Walks a compiled jexl tree: Ansible spellings become plain jexl, and unknown variables are found before evaluation.
import { AT_FN, DICT_FN, ExprSyntaxError, INDEX_FN, KW_FN, restoreBackslashes, SLICE_FN, TEST_PREFIX } from './expr-jinja.js';
import { findFilter, findTest, unknownName } from './filters/index.js';

export { ExprSyntaxError };

/** The jexl function a test is registered as (`x is version(...)` calls `is version`). */
export function testFunction(name: string): string {
  return `is ${name}`;
}

/** A node of jexl's syntax tree (as produced by `jexl.compile(expr)._getAst()`). */
export type Ast =
  | { type: 'UnaryExpression'; operator: string; right: Ast }
  | { type: 'BinaryExpression'; operator: string; left: Ast; right: Ast }
  | { type: 'ConditionalExpression'; test: Ast; consequent: Ast; alternate: Ast }
  | { type: 'FilterExpression'; relative: boolean; expr: Ast; subject: Ast }
  | { type: 'Literal'; value: string | number | boolean }
  | { type: 'ArrayLiteral'; value: Ast[] }
  | { type: 'ObjectLiteral'; value: { [key: string]: Ast } }
  | { type: 'Identifier'; value: string; from?: Ast; relative?: boolean }
  | { type: 'FunctionCall'; name: string; pool: 'functions' | 'transforms'; args: Ast[] };

/** Operators that `not` does not reach over: `not a == b and c` is `(not (a == b)) and c`. */
const LOOSE = new Set(['and', 'or', '&&', '||']);

function replace(node: Ast, next: Ast): void {
  for (const key of Object.keys(node)) delete (node as Record<string, unknown>)[key];
  Object.assign(node, next);
}

function children(node: Ast): Ast[] {
  switch (node.type) {
    case 'UnaryExpression':
      return [node.right];
    case 'BinaryExpression':
      return [node.left, node.right];
    case 'ConditionalExpression':
      return [node.test, node.consequent, node.alternate].filter(Boolean);
    case 'FilterExpression':
      return [node.subject, node.expr];
    case 'ArrayLiteral':
      return node.value;
    case 'ObjectLiteral':
      return Object.values(node.value);
    case 'Identifier':
      return node.from ? [node.from] : [];
    case 'FunctionCall':
      return node.args;
    default:
      return [];
  }
}

function testCall(subject: Ast, test: Ast, negate = false): Ast {
  if (test.type === 'UnaryExpression' && test.operator === 'not') return testCall(subject, test.right, !negate);
  // Jinja reads tests and filters left to right: `x is string | ternary(a, b)` filters the test's result.
  if (test.type === 'FunctionCall' && test.pool === 'transforms' && test.args[0]) return { ...test, args: [testCall(subject, test.args[0], negate), ...test.args.slice(1)] };
  const [name, args]: [string | undefined, Ast[]] =
    test.type === 'Identifier' && !test.from && !test.relative
      ? [test.value, []]
      : test.type === 'FunctionCall' && test.pool === 'functions'
        ? [test.name, test.args]
        : [undefined, []];
  if (name === undefined || !name.startsWith(TEST_PREFIX)) throw new ExprSyntaxError('"is" must be followed by a test name, as in "x is defined" or "x is version(\'1.2\', \'>=\')"');
  const test_ = name.slice(TEST_PREFIX.length);
  if (!findTest(test_)) throw unknown('test', test_);
  const call: Ast = { type: 'FunctionCall', name: testFunction(test_), pool: 'functions', args: [subject, ...args] };
  return negate ? { type: 'UnaryExpression', operator: '!', right: call } : call;
}

const LOOKUP_HINT = 'lookups are not supported: read the environment with the env helper ({{env "NAME"}}) and files with vars_files';

function unknown(kind: 'filter' | 'test', name: string): ExprSyntaxError {
  if (kind === 'filter' && ['lookup', 'query', 'q'].includes(name)) return new ExprSyntaxError(`unknown function ${JSON.stringify(name)}`, LOOKUP_HINT);
  const [message, hint] = unknownName(kind, name).split(': ');
  return new ExprSyntaxError(message!, hint ?? (kind === 'filter' ? 'README.md lists the filters under Templates' : 'README.md lists the tests under Conditions'));
}

function checkCall(node: Ast): void {
  if (node.type !== 'FunctionCall' || node.name === KW_FN || node.name === DICT_FN || node.name === INDEX_FN || node.name === AT_FN || node.name === SLICE_FN || node.name.startsWith('is ') || node.name.startsWith(TEST_PREFIX)) return;
  if (!findFilter(node.name)) throw unknown('filter', node.name);
}

/** The filter or test a call node runs, when it accepts an undefined value (`default`, `defined`, `mandatory`). */
function acceptsUndefined(node: Ast & { type: 'FunctionCall' }): boolean {
  const spec = node.name.startsWith('is ') ? findTest(node.name.slice(3)) : findFilter(node.name);
  return spec?.acceptsUndefined === true;
}

/** Rewrites `x is test(args)` into a test call, checks filter names, and lets `not` bind looser than comparisons. */
export function rewrite(node: Ast): void {
  if (node.type === 'Literal' && typeof node.value === 'string') node.value = restoreBackslashes(node.value);
  for (const child of children(node)) rewrite(child);
  checkCall(node);
  if (node.type === 'FilterExpression' && !node.relative) {
    replace(node, { type: 'FunctionCall', name: INDEX_FN, pool: 'functions', args: [node.subject, node.expr] });
    return;
  }
  if (node.type !== 'BinaryExpression') return;
  const { left, right, operator } = node;
  if (!LOOSE.has(operator) && left.type === 'UnaryExpression' && left.operator === 'not') {
    const inner: Ast = { type: 'BinaryExpression', operator, left: left.right, right };
    rewrite(inner);
    replace(node, { type: 'UnaryExpression', operator: 'not', right: inner });
    return;
  }
  if (operator === 'is') replace(node, testCall(left, right));
}

function own(obj: unknown, key: string): boolean {
  return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
}

/** `a.b.c` as a list of names, when the chain starts at a variable. */
function chain(node: Ast): string[] | undefined {
  if (node.type !== 'Identifier' || node.relative) return undefined;
  if (!node.from) return [node.value];
  const head = chain(node.from);
  return head ? [...head, node.value] : undefined;
}

/**
 * The first variable path used by the expression that is not defined in `vars`
 * (arguments of `defined(...)` and the subject of `default` are allowed to be undefined).
 */
export function findUndefined(node: Ast, vars: Record<string, unknown>, constants: Record<string, unknown>): string | undefined {
  if (node.type === 'FunctionCall') {
    if (!acceptsUndefined(node)) return firstOf(node.args, vars, constants);
    if (node.args[0]) readVariables(node.args[0], vars);
    return firstOf(node.args.slice(1), vars, constants);
  }
  const names = chain(node);
  if (!names) return firstOf(children(node), vars, constants);
  let value: unknown = own(vars, names[0]!) ? vars : constants;
  for (const [i, name] of names.entries()) {
    if (Array.isArray(value)) value = value[0];
    if (!own(value, name)) return names.slice(0, i + 1).join('.');
    value = (value as Record<string, unknown>)[name];
  }
  return undefined;
}

// Reads the variables an expression uses, undefined ones included, before jexl runs: a value computed on first read
// (a host's facts) throws its own error here, where it is not flattened into a plain Error as inside jexl.
function readVariables(node: Ast, vars: Record<string, unknown>): void {
  const names = chain(node);
  if (!names) {
    for (const child of children(node)) readVariables(child, vars);
    return;
  }
  let value: unknown = vars;
  for (const name of names) {
    if (Array.isArray(value)) value = value[0];
    if (!own(value, name)) return;
    value = (value as Record<string, unknown>)[name];
  }
}

function firstOf(nodes: Ast[], vars: Record<string, unknown>, constants: Record<string, unknown>): string | undefined {
  for (const n of nodes) {
    const found = findUndefined(n, vars, constants);
    if (found) return found;
  }
  return undefined;
}
