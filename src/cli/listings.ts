// --list-hosts and --list-tasks: what would run, without running it.
import type { Inventory } from '../inventory/model.js';
import { selectHosts } from '../inventory/pattern.js';
import type { Playbook } from '../playbook/model.js';
import { filterNodes, walkTasks, type TaskFilter } from '../executor/select-tasks.js';

export function listHosts(pb: Playbook, inv: Inventory, limit: ReadonlySet<string> | undefined, cwd: string): string[] {
  const lines: string[] = [`playbook: ${pb.file}`];
  for (const play of pb.plays) {
    const hosts = selectHosts(inv, play.hosts, cwd).filter((h) => !limit || limit.has(h));
    lines.push('', `  play "${play.name}" (${hosts.length} host${hosts.length === 1 ? '' : 's'}):`);
    for (const h of hosts) lines.push(`    ${h}`);
  }
  return lines;
}

export function listTasks(pb: Playbook, filter: TaskFilter): string[] {
  const lines: string[] = [`playbook: ${pb.file}`];
  for (const play of pb.plays) {
    lines.push('', `  play "${play.name}" (hosts: ${play.hosts}):`);
    for (const t of walkTasks(filterNodes(play.tasks, filter))) {
      const tags = t.tags.length ? `  TAGS: [${t.tags.join(', ')}]` : '';
      lines.push(`    ${t.name ?? t.module}${tags}`);
    }
  }
  return lines;
}
