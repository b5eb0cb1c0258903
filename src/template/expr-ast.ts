// Walks a compiled jexl tree: Ansible spellings become plain jexl, and unknown variables are found before evaluation.

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
/** Calls whose first argument may be undefined. */
const OPTIONAL_ARG = new Set(['defined', 'default']);

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

function isIdent(node: Ast, name: string): boolean {
  return node.type === 'Identifier' && node.value === name && !node.from && !node.relative;
}

function definedCall(subject: Ast, negate: boolean): Ast {
  const call: Ast = { type: 'FunctionCall', name: 'defined', pool: 'functions', args: [subject] };
  return negate ? { type: 'UnaryExpression', operator: '!', right: call } : call;
}

/** Rewrites `x is defined`, `x is not defined`, `x is undefined`, and lets `not` bind looser than comparisons. */
export function rewrite(node: Ast): void {
  for (const child of children(node)) rewrite(child);
  if (node.type !== 'BinaryExpression') return;
  const { left, right, operator } = node;
  if (!LOOSE.has(operator) && left.type === 'UnaryExpression' && left.operator === 'not') {
    const inner: Ast = { type: 'BinaryExpression', operator, left: left.right, right };
    rewrite(inner);
    replace(node, { type: 'UnaryExpression', operator: 'not', right: inner });
    return;
  }
  if (operator !== 'is') return;
  if (isIdent(right, 'defined')) replace(node, definedCall(left, false));
  else if (isIdent(right, 'undefined')) replace(node, definedCall(left, true));
  else if (right.type === 'UnaryExpression' && right.operator === 'not' && isIdent(right.right, 'defined'))
    replace(node, definedCall(left, true));
  else throw new Error('"is" supports only "is defined", "is not defined" and "is undefined"');
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
    const rest = OPTIONAL_ARG.has(node.name) ? node.args.slice(1) : node.args;
    return firstOf(rest, vars, constants);
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

function firstOf(nodes: Ast[], vars: Record<string, unknown>, constants: Record<string, unknown>): string | undefined {
  for (const n of nodes) {
    const found = findUndefined(n, vars, constants);
    if (found) return found;
  }
  return undefined;
}
