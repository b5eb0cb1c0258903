// Ansible's `!unsafe` YAML tag: a value that must stay literal text (a password holding `{{`) is never rendered.
import type { ScalarTag } from 'yaml';

const OPEN = '{{{{omsrun_literal}}}}';
const CLOSE = '{{{{/omsrun_literal}}}}';

/** The tag, as Ansible spells it. */
export const UNSAFE_TAG = '!unsafe';

// The value becomes a Handlebars raw block: every layer that renders templates gives it back as it was written.
export function unsafeText(text: string): string {
  if (!text.includes('{{') || text.includes(CLOSE)) return text.includes(CLOSE) ? refuse() : text;
  return `${OPEN}${text}${CLOSE}`;
}

function refuse(): never {
  throw new Error(`an !unsafe value cannot contain ${CLOSE}`);
}

// The literal text of a value made by unsafeText (for layers that are never rendered, and for masking).
export function literalOf(value: string): string {
  return value.startsWith(OPEN) && value.endsWith(CLOSE) ? value.slice(OPEN.length, -CLOSE.length) : value;
}

/** Deep copy with every unsafeText value turned back into its literal text. */
export function literalDeep(value: unknown): unknown {
  if (typeof value === 'string') return literalOf(value);
  if (Array.isArray(value)) return value.map(literalDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalDeep(v)]));
  }
  return value;
}

// The `customTags` entry for the yaml library.
export const unsafeYamlTag: ScalarTag = {
  tag: UNSAFE_TAG,
  identify: () => false,
  resolve: (text: string) => unsafeText(text),
};
