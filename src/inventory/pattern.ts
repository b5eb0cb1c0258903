// Host patterns as in Ansible: names, groups, globs, `!exclude`, `&intersect`, `@retry-file`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { didYouMean, displayPath } from '../core/yaml-source.js';
import type { Inventory } from './model.js';

// Hosts matching `pattern`, in inventory order; names matching nothing are errors.
export function selectHosts(inv: Inventory, pattern: string, baseDir: string): string[] {
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0) throw new ConfigError(`empty host pattern ${JSON.stringify(pattern)}`, { hint: 'use all, a group, a host or a glob' });
  let chosen = new Set<string>();
  const intersect: Set<string>[] = [];
  const exclude: Set<string>[] = [];
  for (const t of terms) {
    if (t.startsWith('!')) exclude.push(resolveTerm(inv, t.slice(1), baseDir));
    else if (t.startsWith('&')) intersect.push(resolveTerm(inv, t.slice(1), baseDir));
    else chosen = new Set([...chosen, ...resolveTerm(inv, t, baseDir)]);
  }
  if (terms.every((t) => t.startsWith('!') || t.startsWith('&'))) chosen = resolveTerm(inv, 'all', baseDir);
  return [...inv.hosts.keys()].filter((h) => chosen.has(h) && intersect.every((s) => s.has(h)) && !exclude.some((s) => s.has(h)));
}

// Every host of a group, through its children.
export function groupHosts(inv: Inventory, group: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const g = inv.groups.get(group);
  if (!g || seen.has(group)) return out;
  seen.add(group);
  for (const h of g.hosts) out.add(h);
  for (const c of g.children) for (const h of groupHosts(inv, c, seen)) out.add(h);
  return out;
}

function resolveTerm(inv: Inventory, term: string, baseDir: string): Set<string> {
  if (term === 'all' || term === '*') return groupHosts(inv, 'all');
  if (term.startsWith('@')) return retryFile(inv, term.slice(1), baseDir);
  if (term.startsWith('~')) return byRegex(inv, compile(term, term.slice(1)));
  if (/[*?[]/.test(term)) return byRegex(inv, compile(term, globToRegex(term)));
  if (inv.groups.has(term)) return groupHosts(inv, term);
  if (inv.hosts.has(term)) return new Set([term]);
  throw new ConfigError(`host pattern ${JSON.stringify(term)} matches no host or group`, {
    hint: didYouMean(term, [...inv.groups.keys(), ...inv.hosts.keys()]) ?? `known groups: ${[...inv.groups.keys()].join(', ')}`,
  });
}

function byRegex(inv: Inventory, re: RegExp): Set<string> {
  const out = new Set<string>();
  for (const g of inv.groups.keys()) if (re.test(g)) for (const h of groupHosts(inv, g)) out.add(h);
  for (const h of inv.hosts.values()) if (re.test(h.name) && !h.implicit) out.add(h.name);
  return out;
}

function retryFile(inv: Inventory, file: string, baseDir: string): Set<string> {
  const abs = path.resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(`host list file not found: ${displayPath(abs)}`, { hint: '@FILE reads one host per line' }, { cause: err });
  }
  const out = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const name = raw.trim();
    if (!name || name.startsWith('#')) return;
    if (!inv.hosts.has(name)) {
      throw new ConfigError(`host ${JSON.stringify(name)} is not in the inventory`, {
        pos: { file: displayPath(abs), line: i + 1, col: raw.indexOf(name) + 1 },
        hint: didYouMean(name, inv.hosts.keys()),
      });
    }
    out.add(name);
  });
  return out;
}

function compile(term: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new ConfigError(`invalid host pattern ${JSON.stringify(term)}`, { hint: 'globs use * ? [abc]; ~ starts a regular expression' });
  }
}

function globToRegex(glob: string): string {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[' || ch === ']') re += ch;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return `^${re}$`;
}
