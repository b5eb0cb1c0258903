// Playbooks, task files and vars files on disk may be vault files or hold `!vault` values: they are read through the run's session.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type SourcePos } from '../core/errors.js';
import { describeValue } from '../core/key-path.js';
import { displayPath, parseYamlText, type YamlSource } from '../core/yaml-source.js';
import { vaultSession } from './session.js';
import { needsVaultPassword, vaultErrorFromYaml } from './yaml-tags.js';

// Reads and parses one YAML file; missing files and syntax errors are ConfigErrors.
export async function loadYamlFile(file: string, from?: { pos: SourcePos; keyPath?: string }): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'expected a file, got a folder' : `cannot read file (${code ?? 'error'})`;
    throw new ConfigError(`${what}: ${displayPath(path.resolve(file))}`, { pos: from?.pos, keyPath: from?.keyPath }, { cause: err });
  }
  if (!needsVaultPassword(text)) return parseYamlText(text, file);
  const prepared = await vaultSession().prepare(text, displayPath(path.resolve(file)));
  return parseYamlText(prepared.text, file, prepared.customTags, vaultErrorFromYaml);
}

// Vars files (vars_files, group_vars, host_vars) are plain mappings.
export async function loadVarsFile(file: string, from?: { pos: SourcePos; keyPath?: string }): Promise<Record<string, unknown>> {
  const src = await loadYamlFile(file, from);
  if (src.data === null || src.data === undefined) return {};
  if (typeof src.data !== 'object' || Array.isArray(src.data)) {
    throw new ConfigError(`expected a mapping of variables, got ${describeValue(src.data)}`, { pos: src.posOf([]) });
  }
  return src.data as Record<string, unknown>;
}
