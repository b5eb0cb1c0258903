// `--list-tasks`: play → task names with their effective tags, after --tags / --skip-tags.
import type { Playbook, TaskNode } from './model.js';
import { filterNodes, type TaskFilter } from './select-tasks.js';

/** One play's tasks as --list-tasks shows them. */
export interface PlayTaskList {
  play: string;
  hosts: string;
  tasks: { name: string; tags: string[] }[];
}

// Flattens blocks and includes; a task's tags include those of its blocks.
export function listTasks(playbook: Playbook, filter: TaskFilter = {}): PlayTaskList[] {
  return playbook.plays.map((play) => ({
    play: play.name,
    hosts: play.hosts,
    tasks: flatten(filterNodes(play.tasks, filter), []),
  }));
}

function flatten(nodes: TaskNode[], inherited: string[]): { name: string; tags: string[] }[] {
  return nodes.flatMap((n) => {
    const tags = [...new Set([...inherited, ...n.tags])];
    if (n.kind === 'task') return [{ name: n.name ?? n.module, tags }];
    return [...flatten(n.block, tags), ...flatten(n.rescue, tags), ...flatten(n.always, tags)];
  });
}
