// Values converted to the type a zod schema expects, as Ansible's argument specs convert them: "3" for an int,
// "1.5" for a float, yes/no/on/1 for a boolean, "a,b" for a list, 8080 for a string.
import type { z } from 'zod';
import { parseBool } from './bool.js';

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const isTemplate = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

/**
 * `value` with each part converted to what `schema` expects where Ansible would convert it; parts that cannot be
 * converted stay as they are, so the schema's own error (with its key path) still reports them. Templates are
 * left for after rendering.
 */
export function convertArgs(schema: z.ZodType, value: unknown): unknown {
  if (value === undefined || value === null || isTemplate(value)) return value;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return convertArgs(def.innerType!, value);
    case 'pipe':
      // A preprocess (a pipe from a transform) converts for itself (a file mode, a flag); otherwise the input side decides.
      return defOf(def.in!).type === 'transform' ? value : convertArgs(def.in!, value);
    case 'number':
      return typeof value === 'string' && NUMBER.test(value) ? Number(value) : value;
    case 'boolean':
      return parseBool(value) ?? value;
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    case 'array':
      return convertList(def.element!, value);
    case 'object':
      return convertObject(def.shape!, value);
    case 'record':
      if (!isMapping(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertArgs(def.valueType!, v)]));
    case 'union':
      return convertUnion(schema, def.options!, value);
    default:
      return value;
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// "a,b" → [a, b] and 5 → ["5"]-like single items, as Ansible's list type does.
function convertList(element: z.ZodType, value: unknown): unknown {
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (typeof value === 'number' || typeof value === 'boolean') list = [value];
  else return value;
  return list.map((v) => convertArgs(element, v));
}

function convertObject(shape: Record<string, z.ZodType>, value: unknown): unknown {
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, v] of Object.entries(value)) {
    const field = Object.hasOwn(shape, k) ? shape[k] : undefined;
    if (field) out[k] = convertArgs(field, v);
  }
  return out;
}

// A value one option already accepts stays; otherwise the first option that accepts it converted.
function convertUnion(schema: z.ZodType, options: z.ZodType[], value: unknown): unknown {
  if (schema.safeParse(value).success) return value;
  for (const option of options) {
    const converted = convertArgs(option, value);
    if (converted !== value && option.safeParse(converted).success) return converted;
  }
  return value;
}
