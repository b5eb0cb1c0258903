// Handlebars rendering: one isolated environment, no HTML escaping, undefined variables are errors.
import Handlebars from 'handlebars';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError, OmsrunError } from '../core/errors.js';
import { contextError, templatePlace, withContext, type RenderContext } from './context.js';
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
import { factHint } from '../facts/names.js';

type Loc = HelperOptions['loc'];

/** How templates behave, in one paragraph, for the README. */
export const TEMPLATE_RULES_DOC =
  'Templates are Handlebars without HTML escaping. An undefined variable is an error naming the variable, the ' +
  'template line and the task; `{{default x "fallback"}}` allows it. A value that is exactly one expression ' +
  '(`ports: "{{ ports }}"`) keeps its type (list, number, map, boolean); inside text, maps and lists print as ' +
  'JSON. Rendered values are never rendered again, so a `{{` inside a password stays literal; write `\\{{` for a ' +
  'literal `{{` in a template. A variable named like a helper is read as `{{./name}}`.';

/** An error raised inside a helper, with the position of the call. */
class Located extends OmsrunError {
  constructor(
    message: string,
    readonly loc: Loc,
    readonly undefinedArg?: number | string,
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
const print = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
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

function parse(tpl: string, ctx: RenderContext | undefined): hbs.AST.Program {
  try {
    return Handlebars.parse(tpl);
  } catch (err) {
    throw contextError(ctx, `template syntax error in ${templatePlace(tpl, ctx)}: ${parseMessage(err)}`, undefined, err);
  }
}

function compileAst(ast: hbs.AST.Program): Compiled {
  const calls = rewriteTemplate(ast, env.helpers);
  return { run: env.compile(ast, { noEscape: true }), calls };
}

function compiled(tpl: string, ctx: RenderContext | undefined): Compiled {
  return cache.get(tpl) ?? remember(cache, tpl, compileAst(parse(tpl, ctx)));
}

function compiledNative(tpl: string, ctx: RenderContext | undefined): Compiled | null {
  const hit = nativeCache.get(tpl);
  if (hit !== undefined) return hit;
  const ast = parse(tpl, ctx);
  const only = singleMustache(ast);
  if (!only) return remember(nativeCache, tpl, null);
  wrapNative(only, env.helpers);
  return remember(nativeCache, tpl, compileAst(ast));
}

function undefinedHint(name: string, vars: Record<string, unknown>): string {
  return factHint(name) ?? didYouMean(name.split('.')[0]!, Object.keys(vars)) ?? `use {{default ${name} "..."}} when it may be unset`;
}

function run(c: Compiled, tpl: string, vars: Record<string, unknown>, ctx: RenderContext | undefined, data = {}): string {
  try {
    return c.run(vars, { data });
  } catch (err) {
    if (err instanceof ConfigError) throw withContext(err, ctx);
    if (err instanceof Located) {
      const place = templatePlace(tpl, ctx, err.loc?.start.line);
      if (err.undefinedArg === undefined) throw contextError(ctx, `${err.message} in ${place}`, undefined, err);
      const name = describeArg(c.calls.get(locKey(err.loc)), err.undefinedArg) ?? `argument ${err.undefinedArg}`;
      throw contextError(ctx, `undefined variable ${JSON.stringify(name)} in ${place}`, undefinedHint(name, vars), err);
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw contextError(ctx, `template error in ${templatePlace(tpl, ctx)}: ${msg}`, undefined, err);
  }
}

// Renders a template string; strings without `{{` are returned untouched, output is never rendered again.
export function renderString(tpl: string, vars: Record<string, unknown>, ctx?: RenderContext): string {
  if (!tpl.includes('{{')) return tpl;
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
  if (typeof value === 'string') return value.includes('{{') ? renderNative(value, vars, ctx) : value;
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
  if (!tpl.includes('{{')) return undefined;
  try {
    Handlebars.parse(tpl);
    return undefined;
  } catch (err) {
    return parseMessage(err);
  }
}
