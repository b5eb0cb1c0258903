// Templates and conditions are syntax-checked at load time, so mistakes show before anything runs.
import { ConfigError } from '../core/errors.js';
import { formatKeyPath } from '../core/yaml-source.js';
import type { KeyPath, YamlSource } from '../core/yaml-source.js';
import { checkTemplateSyntax, mayTemplate } from '../template/render.js';
import { checkExprSyntax } from '../template/expr.js';

// Every string under each entry (file path → value) that holds `{{` must parse as Handlebars with Ansible expressions.
export function checkTemplates(src: YamlSource, entries: [KeyPath, unknown][], errors: ConfigError[]): void {
  for (const [p, v] of entries) walk(v, p, (s, sp) => {
    const msg = checkTemplateSyntax(s);
    if (msg) errors.push(new ConfigError(`template syntax error: ${msg}`, { pos: src.posOf(sp), keyPath: formatKeyPath(sp) }));
  });
}

// when / changed_when / failed_when / until are expressions.
export function checkConditions(src: YamlSource, entries: [KeyPath, unknown][], errors: ConfigError[]): void {
  for (const [p, v] of entries) {
    const list = Array.isArray(v) ? v.map((x, i): [KeyPath, unknown] => [[...p, i], x]) : [[p, v] as [KeyPath, unknown]];
    for (const [ip, c] of list) {
      if (typeof c !== 'string') continue;
      const msg = checkExprSyntax(c);
      if (msg) errors.push(new ConfigError(`expression syntax error: ${msg}`, { pos: src.posOf(ip), keyPath: formatKeyPath(ip) }));
    }
  }
}

function walk(v: unknown, p: KeyPath, f: (s: string, p: KeyPath) => void): void {
  if (typeof v === 'string') {
    if (mayTemplate(v)) f(v, p);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, [...p, i], f));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) walk(x, [...p, k], f);
  }
}
