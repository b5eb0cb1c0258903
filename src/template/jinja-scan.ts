// Finds Ansible expressions inside a Handlebars template: `{{ port | default(80) }}` is an expression,
// `{{name}}`, `{{helper a b}}`, `{{#if}}`, `{{> partial}}`, `{{{raw}}}`, `{{! note}}` stay Handlebars.

/** Name of the helper that evaluates expression number N of a template: `{{__jinja N}}`. */
export const JINJA_HELPER = '__jinja';

/** A template with its expressions taken out, and where each was. */
export interface Scanned {
  /** The template for Handlebars, each expression replaced by `{{__jinja N}}` (line breaks kept). */
  template: string;
  /** The text of each expression, without `{{ }}`. */
  exprs: string[];
  /** 1-based line of each expression. */
  lines: number[];
}

/** A Jinja statement or comment, which omsrun does not run; `hint` shows the Handlebars form. */
export interface JinjaBlock {
  line: number;
  col: number;
  text: string;
  hint: string;
}

const WORD_OPERATORS = new Set(['is', 'and', 'or', 'in', 'not', 'if', 'else']);
const HBS_HEAD = /^[#/>!^&*]|^else\b/;
const JINJA_STATEMENT = /\{%-?\s*(if|elif|else|endif|for|endfor|set|endset|raw|endraw|macro|endmacro|include|import|block|endblock|with|endwith|filter|endfilter)\b[^]*?%\}/g;
const JINJA_COMMENT = /(?<!\$)\{#[^]*?#\}/g;
/** Symbols no Handlebars mustache holds outside strings: `|`, comparisons, arithmetic, `~` between operands. */
const SYMBOL_OPERATOR = /\||==|!=|<|>|\+|\*|%|~|\/\/|\s[-/]\s|\?/;
/** A call `f(x)` or an index `x['key']`, `x[0]` right after a name (Handlebars writes `(helper x)` and `x.[0]`). */
const CALL_OR_INDEX = /[\w\])]\(|[\w\])]\[\s*["\d-]/;

// True when the text inside `{{ }}` is an Ansible expression rather than a Handlebars mustache.
export function isExpression(inner: string): boolean {
  const text = inner.replace(/^~/, '').replace(/~$/, '').trim();
  if (text === '' || HBS_HEAD.test(text)) return false;
  const bare = stripStrings(text);
  if (/^["{(]/.test(bare) || (bare.startsWith('[') && !/^\[[^\],"]*\]$/.test(bare))) return true;
  if (/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(bare)) return true;
  if (SYMBOL_OPERATOR.test(bare) || CALL_OR_INDEX.test(bare)) return true;
  return bare.split(/\s+/).some((word, i) => i > 0 && WORD_OPERATORS.has(word));
}

function stripStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
}

function lineAt(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - before.lastIndexOf('\n') };
}

// Jinja statements and comments in a template, each with the Handlebars form to write instead.
export function findJinjaBlocks(tpl: string): JinjaBlock[] {
  if (!tpl.includes('{%') && !tpl.includes('{#')) return [];
  // Literal blocks (what `!unsafe` makes of a value) are text: blanked out, line breaks kept, so positions stay.
  const text = tpl.replace(/\{\{\{\{(\w+)\}\}\}\}[^]*?\{\{\{\{\/\1\}\}\}\}/g, (block) => block.replace(/[^\n]/g, ' '));
  const found: JinjaBlock[] = [];
  for (const m of text.matchAll(JINJA_STATEMENT)) found.push({ ...lineAt(tpl, m.index), text: m[0], hint: statementHint(m[1]!) });
  for (const m of text.matchAll(JINJA_COMMENT)) found.push({ ...lineAt(tpl, m.index), text: m[0], hint: 'write a comment as {{! comment }}' });
  return found.sort((a, b) => a.line - b.line || a.col - b.col);
}

function statementHint(word: string): string {
  if (/^(if|elif|else|endif)$/.test(word)) return 'write {{#if cond}}...{{else}}...{{/if}} (Handlebars), or compute the value with {{ x | ternary(a, b) }}';
  if (/^(for|endfor)$/.test(word)) return 'write {{#each list}}...{{this}}...{{/each}} (Handlebars), or {{ list | join(", ") }}';
  if (/^(set|endset)$/.test(word)) return 'set variables with vars: or set_fact:, not inside a template';
  if (/^(raw|endraw)$/.test(word)) return 'write \\{{ for a literal {{, or {{{{omsrun_literal}}}}...{{{{/omsrun_literal}}}} for a literal block';
  return 'omsrun templates are Handlebars with Ansible expressions inside {{ }}; Jinja statements {% %} are not supported';
}

// The end of the mustache that opens at `start` (the index just after `{{`): the first `}}` outside quotes and braces.
function mustacheEnd(tpl: string, start: number): number {
  let quote = '';
  let depth = 0;
  for (let i = start; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && tpl[i + 1] === '}' && depth === 0) return i;
    else if (c === '}') depth--;
  }
  return -1;
}

// Takes the expressions out of a template (see Scanned); a template without any comes back as it was.
export function scanTemplate(tpl: string): Scanned {
  const exprs: string[] = [];
  const lines: number[] = [];
  let out = '';
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf('{{', i);
    if (open < 0) break;
    if (tpl[open - 1] === '\\' || tpl.startsWith('{{{', open)) {
      const raw = tpl.startsWith('{{{{', open) ? /\{\{\{\{\/[^}]*\}\}\}\}/g : undefined;
      let next = open + 2;
      if (raw) {
        raw.lastIndex = open;
        next = raw.exec(tpl) ? raw.lastIndex : tpl.length;
      }
      out += tpl.slice(i, next);
      i = next;
      continue;
    }
    const end = mustacheEnd(tpl, open + 2);
    if (end < 0) break;
    const inner = tpl.slice(open + 2, end);
    out += tpl.slice(i, open);
    if (isExpression(inner)) {
      const trimLeft = inner.startsWith('~') ? '~' : '';
      const trimRight = inner.endsWith('~') ? '~' : '';
      lines.push(lineAt(tpl, open).line);
      exprs.push(inner.slice(trimLeft.length, inner.length - trimRight.length).trim());
      out += `{{${trimLeft}${JINJA_HELPER} ${exprs.length - 1}${'\n'.repeat(inner.split('\n').length - 1)}${trimRight}}}`;
    } else {
      out += tpl.slice(open, end + 2);
    }
    i = end + 2;
  }
  return { template: out + tpl.slice(i), exprs, lines };
}
