// Caps on what one short expression may expand to, so a typo fails fast instead of filling memory.

/**
 * The most items one counted range may give: a host range (`web[1:20]`), `range()` in a template, `with_sequence`.
 * Ansible has no such cap and builds the whole list in memory; 100000 is far above any real inventory or loop.
 */
export const MAX_RANGE_ITEMS = 100_000;
