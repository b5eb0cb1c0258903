// Handlebars rendering: one isolated environment, no HTML escaping, undefined variables are errors.
import Handlebars from 'handlebars';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError, OmsrunError } from '../core/errors.js';
import { contextError, snippet, templatePlace, withContext, type RenderContext } from './context.js';
import {
  describeArg,
  locKey,
  NATIVE_HELPER,
  OUT_HELPER,
  rewriteTemplate,
  singleMustache,
  VAR_HELPER,
  wrapNative,
  type CallIndex,
} from './hbs-ast.js';
import { HELPERS, HelperError, type HelperOptions } from './helpers.js';
import { checkExprSyntax, evaluateBare, ExprFailure, print } from './expr.js';
import { findJinjaBlocks, JINJA_HELPER, scanTemplate } from './jinja-scan.js';
import { factHint } from '../facts/names.js';

type Loc = HelperOptions['loc'];

/** How templates behave, in one paragraph, for the README. */
export const TEMPLATE_RULES_DOC =
  'Templates are Handlebars without HTML escaping; a mustache holding a filter, an operator, a call, an index, a literal ' +
  'or a test (`{{ port | default(80) }}`) is an Ansible expression, evaluated like a condition. An undefined variable is ' +
  'an error naming the variable, the template line and the task; `default` allows it. A value that is exactly one ' +
  'expression (`ports: "{{ ports }}"`) keeps its type (list, number, map, boolean); inside text, maps and lists print as ' +
  'JSON. Rendered values are never rendered again, so a `{{` inside a password stays literal; write `\\{{` for a ' +
  'literal `{{` in a template. Jinja statements (`{% if %}`, `{% for %}`, `{# #}`) are errors showing the Handlebars form.';

/** An error raised inside a helper, with the position of the call. */
class Located extends OmsrunError {
  constructor(
    message: string,
    readonly loc: Loc,
    readonly undefinedArg?: number | string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const env = Handlebars.create();
const BUILTINS = ['if', 'unless', 'each', 'with', 'lookup'] as const;

function checkDefined(args: unknown[], o: HelperOptions): void {
  const index = args.indexOf(undefined);
  if (index >= 0) throw new Located('undefined variable', o.loc, index);
  for (const [key, value] of Object.entries(o.hash ?? {})) {
    if (value === undefined) throw new Located('undefined variable', o.loc, key);
  }
}

function register(name: string, lenient: boolean, fn: (self: unknown, args: unknown[], o: HelperOptions) => unknown): void {
  env.registerHelper(name, function (this: unknown, ...all: unknown[]) {
    const o = all.pop() as HelperOptions;
    if (!lenient) checkDefined(all, o);
    try {
      return fn(this, all, o);
    } catch (err) {
      if (err instanceof HelperError) throw new Located(`${name}: ${err.message}`, o.loc);
      throw err;
    }
  });
}

for (const name of BUILTINS) {
  const builtin = env.helpers[name] as (...a: unknown[]) => unknown;
  register(name, false, (self, args, o) => builtin.call(self, ...args, o));
}
for (const spec of HELPERS) register(spec.name, spec.lenient === true, (self, args, o) => spec.fn(args, o, self));
// Variables an expression sees: the template's variables, and inside {{#each}} or {{#with}} also the fields of `this`.
function exprScope(self: unknown, o: HelperOptions): Record<string, unknown> {
  const root = o.data?.root as Record<string, unknown>;
  if (self === root || self === undefined || self === null) return root;
  const out = Object.create(null) as Record<string, unknown>;
  Object.defineProperties(out, Object.getOwnPropertyDescriptors(root));
  if (typeof self === 'object' && !Array.isArray(self)) Object.defineProperties(out, Object.getOwnPropertyDescriptors(self));
  Object.defineProperty(out, 'this', { value: self, enumerable: true });
  return out;
}

register(JINJA_HELPER, true, (self, [index], o) => {
  const text = (o.data?.jinja as string[])[index as number]!;
  try {
    const value = evaluateBare(text, exprScope(self, o), (name) => `use {{ ${name} | default(...) }} when it may be unset`);
    if (value === undefined) throw new Located(`${snippet(text)} gives no value`, o.loc, undefined, 'a missing key or item: add | default(...)');
    return value;
  } catch (err) {
    if (!(err instanceof ExprFailure)) throw err;
    const message = err.kind === 'undefined' ? `undefined variable ${JSON.stringify(err.detail)}` : err.describe(text);
    throw new Located(message, o.loc, undefined, err.hint);
  }
});
register(VAR_HELPER, false, (_self, [value]) => print(value));
register(OUT_HELPER, true, (_self, [value]) => print(value));
register(NATIVE_HELPER, true, (_self, [value], o) => {
  if (value === undefined && o.hash.strict === true) throw new Located('undefined variable', o.loc, 0);
  (o.data?.nativeBox as { value?: unknown }).value = value;
  return '';
});
env.registerHelper('helperMissing', function (this: unknown, ...all: unknown[]) {
  const o = all.pop() as HelperOptions;
  if (all.length === 0 && o.name in Object(this)) return undefined;
  if (all.length === 0) throw new Located(`undefined variable ${JSON.stringify(o.name)}`, o.loc);
  throw new Located(`unknown helper ${JSON.stringify(o.name)}`, o.loc);
});

interface Compiled {
  run: Handlebars.TemplateDelegate;
  calls: CallIndex;
  /** The Ansible expressions of the template, by number (see scanTemplate). */
  exprs: string[];
}

const CACHE_MAX = 5000;
const cache = new Map<string, Compiled>();
const nativeCache = new Map<string, Compiled | null>();

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= CACHE_MAX) map.clear();
  map.set(key, value);
  return value;
}

/** Shortens a Handlebars parse error to `line N near "...": expecting X, got Y`. */
function parseMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split('\n');
  const head = /^Parse error on line (\d+):$/.exec(lines[0] ?? '');
  if (!head || lines.length < 4) return msg.replace(/\n/g, ' ');
  const last = lines[lines.length - 1] ?? '';
  const expecting = last.match(/'[A-Z_]+'/g) ?? [];
  const detail = expecting.length > 4 ? `unexpected ${expecting[expecting.length - 1]}` : last;
  return `line ${head[1]} near ${JSON.stringify(lines[1]?.trim())}: ${detail}`;
}

function jinjaBlockError(tpl: string, ctx: RenderContext | undefined): void {
  const [block] = findJinjaBlocks(tpl);
  if (!block) return;
  const where = ctx?.source ? `template ${ctx.source} line ${block.line} column ${block.col}` : `${snippet(tpl)} line ${block.line} column ${block.col}`;
  throw contextError(ctx, `Jinja ${block.text.startsWith('{#') ? 'comment' : 'statement'} ${snippet(block.text)} in ${where}: omsrun templates are Handlebars`, block.hint);
}

function parse(tpl: string, ctx: RenderContext | undefined): { ast: hbs.AST.Program; exprs: string[] } {
  jinjaBlockError(tpl, ctx);
  const scanned = scanTemplate(tpl);
  try {
    return { ast: Handlebars.parse(scanned.template), exprs: scanned.exprs };
  } catch (err) {
    throw contextError(ctx, `template syntax error in ${templatePlace(tpl, ctx)}: ${parseMessage(err)}`, undefined, err);
  }
}

function compileAst({ ast, exprs }: { ast: hbs.AST.Program; exprs: string[] }): Compiled {
  const calls = rewriteTemplate(ast, env.helpers);
  return { run: env.compile(ast, { noEscape: true }), calls, exprs };
}

function compiled(tpl: string, ctx: RenderContext | undefined): Compiled {
  return cache.get(tpl) ?? remember(cache, tpl, compileAst(parse(tpl, ctx)));
}

function compiledNative(tpl: string, ctx: RenderContext | undefined): Compiled | null {
  const hit = nativeCache.get(tpl);
  if (hit !== undefined) return hit;
  const parsed = parse(tpl, ctx);
  const only = singleMustache(parsed.ast);
  if (!only) return remember(nativeCache, tpl, null);
  wrapNative(only, env.helpers);
  return remember(nativeCache, tpl, compileAst(parsed));
}

function undefinedHint(name: string, vars: Record<string, unknown>): string {
  return factHint(name) ?? didYouMean(name.split('.')[0]!, Object.keys(vars)) ?? `use {{default ${name} "..."}} when it may be unset`;
}

function run(c: Compiled, tpl: string, vars: Record<string, unknown>, ctx: RenderContext | undefined, data = {}): string {
  try {
    return c.run(vars, { data: { ...data, jinja: c.exprs } });
  } catch (err) {
    if (err instanceof ConfigError) throw withContext(err, ctx);
    if (err instanceof Located) {
      const place = templatePlace(tpl, ctx, err.loc?.start.line);
      if (err.undefinedArg === undefined) throw contextError(ctx, `${err.message} in ${place}`, err.hint, err);
      const name = describeArg(c.calls.get(locKey(err.loc)), err.undefinedArg) ?? `argument ${err.undefinedArg}`;
      throw contextError(ctx, `undefined variable ${JSON.stringify(name)} in ${place}`, undefinedHint(name, vars), err);
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw contextError(ctx, `template error in ${templatePlace(tpl, ctx)}: ${msg}`, undefined, err);
  }
}

/** True when a string holds `{{`, or a Jinja `{%` or `{#` that must be reported. */
export function mayTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

// Renders a template string; strings without `{{` are returned untouched, output is never rendered again.
export function renderString(tpl: string, vars: Record<string, unknown>, ctx?: RenderContext): string {
  if (!mayTemplate(tpl)) return tpl;
  return run(compiled(tpl, ctx), tpl, vars, ctx);
}

// A template file is rendered like a string; ctx.source names it in errors.
export function renderTemplateFile(text: string, vars: Record<string, unknown>, ctx?: RenderContext): string {
  return renderString(text, vars, ctx);
}

// A string that is exactly `{{ expr }}` keeps the expression's native type (list, number, map, bool).
export function renderNative(tpl: string, vars: Record<string, unknown>, ctx?: RenderContext): unknown {
  if (!tpl.startsWith('{{') || !tpl.endsWith('}}')) return renderString(tpl, vars, ctx);
  const native = compiledNative(tpl, ctx);
  if (!native) return renderString(tpl, vars, ctx);
  const box: { value?: unknown } = {};
  run(native, tpl, vars, ctx, { nativeBox: box });
  return box.value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// Deep-renders every string of a task argument or variable value.
export function renderValue(value: unknown, vars: Record<string, unknown>, ctx?: RenderContext): unknown {
  if (typeof value === 'string') return mayTemplate(value) ? renderNative(value, vars, ctx) : value;
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, ctx));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, vars, ctx);
    return out;
  }
  return value;
}

// The loader reports template syntax errors before anything runs.
export function checkTemplateSyntax(tpl: string): string | undefined {
  const [block] = findJinjaBlocks(tpl);
  if (block) return `line ${block.line} column ${block.col}: Jinja ${snippet(block.text)} is not supported (${block.hint})`;
  if (!tpl.includes('{{')) return undefined;
  const scanned = scanTemplate(tpl);
  for (const [i, text] of scanned.exprs.entries()) {
    const msg = checkExprSyntax(text);
    if (msg) return `line ${scanned.lines[i]} in {{ ${text} }}: ${msg}`;
  }
  try {
    Handlebars.parse(scanned.template);
    return undefined;
  } catch (err) {
    return parseMessage(err);
  }
}
