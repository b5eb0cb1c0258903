// The one filter and test table: `when` conditions and `{{ … }}` template expressions both read it.
import { OmsrunError } from '../../core/errors.js';

/** A filter or test used wrongly (`sort(attribute=1)` on text, ...); the engine names the expression. */
export class FilterError extends OmsrunError {
  override readonly name = 'FilterError';
}

/** A `name=value` argument, as the expression pre-pass hands it over. */
export class KwArg {
  constructor(
    readonly name: string,
    readonly value: unknown,
  ) {}
}

/** One filter (`x | name(args)`, also callable as `name(x, args)`) or one test (`x is name(args)`). */
export interface FilterSpec {
  name: string;
  /** Other names for the same code (`d` for `default`). */
  aliases?: string[];
  /** One line for the README. */
  description: string;
  /**
   * Argument names after the value, in order; a keyword argument fills the position of its name.
   * A last name starting with `...` takes the remaining positional arguments as one list.
   */
  params?: string[];
  /** Keyword-only arguments, handed to `fn` in `kw` (`*`: any name). */
  keywords?: string[];
  /** True when the value may be undefined (`default`, `defined`, `mandatory`): no undefined-variable error. */
  acceptsUndefined?: boolean;
  fn: (value: unknown, args: unknown[], kw: Record<string, unknown>) => unknown;
}

function takes(spec: FilterSpec): string {
  const names = [...(spec.params ?? []).map((p) => p.replace(/^\.\.\./, '')), ...(spec.keywords ?? [])];
  return names.length === 0 ? 'no arguments' : names.join(', ');
}

// Puts keyword arguments in their places; an unknown keyword or too many arguments is a FilterError.
export function bindArgs(spec: FilterSpec, raw: unknown[], kind: 'filter' | 'test'): { args: unknown[]; kw: Record<string, unknown> } {
  const params = spec.params ?? [];
  const rest = params.length > 0 && params[params.length - 1]!.startsWith('...');
  const fixed = rest ? params.slice(0, -1) : params;
  const positional = raw.filter((a) => !(a instanceof KwArg));
  const args: unknown[] = rest ? [...positional.slice(0, fixed.length)] : [...positional];
  if (rest) args[fixed.length] = positional.slice(fixed.length);
  else if (positional.length > fixed.length) {
    throw new FilterError(`${kind} ${spec.name} takes ${fixed.length} argument${fixed.length === 1 ? '' : 's'} (${takes(spec)}), got ${positional.length}`);
  }
  const kw: Record<string, unknown> = {};
  for (const a of raw) {
    if (!(a instanceof KwArg)) continue;
    const at = fixed.indexOf(a.name);
    if (at >= 0) args[at] = a.value;
    else if (spec.keywords?.includes(a.name) || spec.keywords?.includes('*')) kw[a.name] = a.value;
    else throw new FilterError(`${kind} ${spec.name} has no argument ${JSON.stringify(a.name)}; it takes ${takes(spec)}`);
  }
  return { args, kw };
}

// Calls a filter or test with the arguments as the expression wrote them.
export function callSpec(spec: FilterSpec, value: unknown, raw: unknown[], kind: 'filter' | 'test'): unknown {
  const { args, kw } = bindArgs(spec, raw, kind);
  return spec.fn(value, args, kw);
}

// Name → spec, aliases included.
export function byName(specs: readonly FilterSpec[]): Map<string, FilterSpec> {
  const map = new Map<string, FilterSpec>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) map.set(n, s);
  return map;
}
