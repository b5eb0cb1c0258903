// --list-hosts and --list-tasks: what would run, without running it.
import type { Inventory } from '../inventory/model.js';
import { selectHosts } from '../inventory/pattern.js';
import type { Playbook } from '../playbook/model.js';
import { listTasks } from '../playbook/list-tasks.js';
import type { TaskFilter } from '../playbook/select-tasks.js';

export function listHosts(pb: Playbook, inv: Inventory, limit: ReadonlySet<string> | undefined, cwd: string): string[] {
  const lines: string[] = [`playbook: ${pb.file}`];
  for (const play of pb.plays) {
    const hosts = selectHosts(inv, play.hosts, cwd).filter((h) => !limit || limit.has(h));
    lines.push('', `  play "${play.name}" (${hosts.length} host${hosts.length === 1 ? '' : 's'}):`);
    for (const h of hosts) lines.push(`    ${h}`);
  }
  return lines;
}

export function listTaskLines(pb: Playbook, filter: TaskFilter): string[] {
  const lines: string[] = [`playbook: ${pb.file}`];
  for (const play of listTasks(pb, filter)) {
    lines.push('', `  play "${play.play}" (hosts: ${play.hosts}):`);
    for (const t of play.tasks) lines.push(`    ${t.name}${t.tags.length ? `  TAGS: [${t.tags.join(', ')}]` : ''}`);
  }
  return lines;
}
