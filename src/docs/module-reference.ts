// The module reference is generated from the zod schemas: the schema is the documentation.
import { z } from 'zod';
import type { Module } from '../modules/support/module.js';
import { allModules } from '../modules/support/registry.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** The JSON Schema of a module's arguments (input side), for editors and the reference. */
export function moduleJsonSchema(m: Module): JsonSchema {
  return z.toJSONSchema(m.schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(' | ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for every module: name, aliases, description, one table row per argument. */
export function moduleReference(modules: readonly Module[] = allModules()): string {
  const out = ['# Module reference', '', 'Generated from the modules\' argument schemas by `npm run docs`; do not edit by hand.', ''];
  for (const m of [...modules].sort((a, b) => a.name.localeCompare(b.name))) {
    const schema = moduleJsonSchema(m);
    out.push(`## ${m.name}`, '');
    if (m.aliases?.length) out.push(`Also: ${m.aliases.map((a) => `\`${a}\``).join(', ')}.`, '');
    out.push(m.description, '');
    if (m.freeForm) out.push(`Free form: \`${m.name}: VALUE\` sets \`${m.freeForm}\`.`, '');
    if (m.readOnly) out.push('Reads only: runs in check mode too.', '');
    const props = Object.entries(schema.properties ?? {});
    if (props.length === 0) {
      out.push('Arguments: any `name: value` pairs.', '');
      continue;
    }
    out.push('| argument | type | required | default | description |', '| --- | --- | --- | --- | --- |');
    for (const [name, p] of props) {
      const required = schema.required?.includes(name) && p.default === undefined ? 'yes' : '';
      const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
      const also = Object.keys(m.argAliases ?? {}).filter((a) => m.argAliases?.[a] === name);
      const desc = `${p.description ?? ''}${also.length ? ` Also: ${also.map((a) => `\`${a}\``).join(', ')}.` : ''}`;
      out.push(`| \`${name}\` | ${cell(typeOf(p))} | ${required} | ${def} | ${cell(desc)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
