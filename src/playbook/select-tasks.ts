// --tags and --skip-tags decide which tasks run, before anything runs (--start-at-task is applied as the play runs: play-run.ts).
import type { TaskNode } from './model.js';

export interface TaskFilter {
  tags?: string[];
  skipTags?: string[];
}

/** True when a task with these (inherited + own) tags should run under the filter. */
export function tagsAllow(taskTags: readonly string[], filter: TaskFilter): boolean {
  const tags = new Set(taskTags);
  if (filter.skipTags?.length) {
    if (tags.has('never') && !filter.tags?.includes('never')) return false;
    if (filter.skipTags.some((t) => tags.has(t) || t === 'all')) return false;
  }
  if (tags.has('always')) return !(filter.skipTags ?? []).includes('always');
  if (filter.tags?.length) {
    if (filter.tags.includes('all')) return !tags.has('never');
    if (filter.tags.includes('tagged')) return tags.size > 0;
    if (filter.tags.includes('untagged')) return tags.size === 0;
    return filter.tags.some((t) => tags.has(t));
  }
  return !tags.has('never');
}

/** Drops tasks the tag filter excludes; blocks keep their tags flowing down to children. */
export function filterNodes(nodes: readonly TaskNode[], filter: TaskFilter, inherited: string[] = []): TaskNode[] {
  const out: TaskNode[] = [];
  for (const node of nodes) {
    const tags = [...inherited, ...node.tags];
    if (node.kind === 'task') {
      if (tagsAllow(tags, filter)) out.push(node);
      continue;
    }
    const block = filterNodes(node.block, filter, tags);
    const rescue = filterNodes(node.rescue, filter, tags);
    const always = filterNodes(node.always, filter, tags);
    if (block.length || rescue.length || always.length) out.push({ ...node, block, rescue, always });
  }
  return out;
}
