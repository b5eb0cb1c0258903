// Ansible's truth table, the one way omsrun reads a yes/no value (keywords, inventory flags, OMS settings, `bool`).

const TRUE_WORDS = new Set(['y', 'yes', 'on', 'true', 't', '1']);
const FALSE_WORDS = new Set(['n', 'no', 'off', 'false', 'f', '0']);

// true/false, 1/0 and the words above in any case (Ansible's convert_bool); undefined for anything else.
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v !== 'string') return undefined;
  const word = v.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}
