// Every module, by name and alias: the loader validates against it, the executor runs from it.
import type { Module } from './module.js';

const all: Module[] = [];

const byName = new Map<string, Module>();
for (const m of all) {
  byName.set(m.name, m);
  for (const a of m.aliases ?? []) byName.set(a, m);
}

export function getModule(name: string): Module | undefined {
  return byName.get(name);
}

export function moduleNames(): string[] {
  return [...byName.keys()].sort();
}
