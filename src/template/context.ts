// Every template and expression error names where it came from, in one format.
import { ConfigError, type SourcePos } from '../core/errors.js';

/** Where a template or expression comes from; every field is optional. */
export interface RenderContext {
  /** Playbook (or other) file that holds the template or expression. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. @defaultValue 1 */
  col?: number;
  /** Task name. */
  task?: string;
  /** Template file name, for `renderTemplateFile` (e.g. `config.yaml.hbs`). */
  source?: string;
  /** The key being rendered or evaluated, e.g. `when` or `args.dest`. */
  field?: string;
}

const SNIPPET_MAX = 80;

// Quotes a template or expression for a message, shortened to one readable line.
export function snippet(text: string): string {
  return JSON.stringify(text.length > SNIPPET_MAX ? `${text.slice(0, SNIPPET_MAX - 3)}...` : text);
}

// Says where in a template something went wrong: the template file and line, or the inline text.
export function templatePlace(tpl: string, ctx: RenderContext | undefined, line?: number): string {
  if (ctx?.source) return `template ${ctx.source}${line ? ` line ${line}` : ''}`;
  if (line && tpl.includes('\n')) return `${snippet(tpl)} line ${line}`;
  return snippet(tpl);
}

/**
 * Builds the ConfigError for a template or expression problem:
 * `file:line:col task "name": field: detail` (parts left out when unknown).
 */
export function contextError(
  ctx: RenderContext | undefined,
  detail: string,
  hint?: string,
  cause?: unknown,
): ConfigError {
  const pos: SourcePos | undefined =
    ctx?.file && ctx.line ? { file: ctx.file, line: ctx.line, col: ctx.col ?? 1 } : undefined;
  const head = [pos ? '' : ctx?.file, ctx?.task !== undefined ? `task ${JSON.stringify(ctx.task)}` : '']
    .filter(Boolean)
    .join(' ');
  const body = ctx?.field ? `${ctx.field}: ${detail}` : detail;
  return new ConfigError(body, { pos, keyPath: head || undefined, hint }, { cause });
}

// A variable's own template error (no file or task yet) gets the place of the task that read the variable.
export function withContext(err: ConfigError, ctx: RenderContext | undefined): ConfigError {
  if (err.where.pos || err.where.keyPath || !ctx || (!ctx.file && ctx.task === undefined)) return err;
  return contextError(ctx, err.detail, err.where.hint, err.cause ?? err);
}
