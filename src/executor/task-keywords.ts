// Task keywords written as templates (`no_log: "{{ hide }}"`, `environment: "{{ proxy_env }}"`), rendered with the
// host's variables before the task runs; a value of the wrong kind fails the task naming the keyword.
import { parseBool } from '../core/bool.js';
import { OmsrunError } from '../core/errors.js';
import { describeValue } from '../core/key-path.js';
import type { Vars } from '../inventory/model.js';
import type { Flag } from '../playbook/model.js';
import type { RenderContext } from '../template/context.js';
import { renderValue } from '../template/render.js';
import type { Scope } from './scope.js';

const FLAGS = { become: 'become', ignoreErrors: 'ignore_errors', noLog: 'no_log', runOnce: 'run_once', checkMode: 'check_mode', diff: 'diff' } as const;

export function locate(where: RenderContext): string {
  return where.file ? `${where.file}:${where.line}:${where.col} task "${where.task}": ` : '';
}

/** A flag keyword's value for one host: literal as written, or its template rendered and read as Ansible reads booleans. */
export function flagValue(value: Flag | undefined, keyword: string, vars: Vars, where: RenderContext): boolean | undefined {
  if (typeof value !== 'string') return value;
  const rendered = renderValue(value, vars, { ...where, field: keyword });
  const b = parseBool(rendered);
  if (b !== undefined) return b;
  throw new OmsrunError(`${locate(where)}${keyword}: expected true or false, got ${describeValue(rendered)} from ${JSON.stringify(value)}`);
}

/** The scope with every templated keyword rendered for this host: flags are booleans, environment one layer of mappings. */
export function resolveScope(scope: Scope, vars: Vars, where: RenderContext): Scope {
  const out: Scope = { ...scope };
  for (const [key, keyword] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) out[key] = flagValue(scope[key], keyword, vars, where);
  if (typeof scope.becomeUser === 'string' && scope.becomeUser.includes('{{')) {
    out.becomeUser = String(renderValue(scope.becomeUser, vars, { ...where, field: 'become_user' }));
  }
  out.environment = scope.environment.map((layer) => {
    if (typeof layer !== 'string') return layer;
    const rendered = renderValue(layer, vars, { ...where, field: 'environment' });
    if (rendered === null || rendered === undefined || rendered === '') return {};
    if (typeof rendered === 'object' && !Array.isArray(rendered)) return rendered as Record<string, string>;
    throw new OmsrunError(`${locate(where)}environment: expected a mapping of variable names to values, got ${describeValue(rendered)} from ${JSON.stringify(layer)}`);
  });
  return out;
}
