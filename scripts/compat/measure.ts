// How much of a corpus of Ansible roles omsrun loads unchanged: tasks accepted by the syntax check, and tasks whose
// module omsrun has (collection prefixes stripped). Usage (roles are not part of this repository; fetch them first):
//
//   npx tsx scripts/compat/measure.ts [--omsrun DIR] [--json] [--details] [--reasons N] FOLDER...
//
// Each FOLDER is searched for `tasks/` folders (a role's, or a collection's roles/*/tasks); every YAML file in them
// is one task file. A task file is wrapped in a minimal play (`hosts: localhost`, its tasks) written beside it, so
// includes, roles and files resolve as they would, and loaded with omsrun's playbook loader; a task is accepted when
// no error points into it. `--omsrun DIR` measures another checkout of omsrun (its src/ is loaded; it needs its
// node_modules), e.g. an export of main for a before/after comparison.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';

interface Options {
  omsrun: string;
  json: boolean;
  /** Count reasons by their whole first line (values and key paths kept). */
  details: boolean;
  reasons: number;
  folders: string[];
}

interface Tally {
  source: string;
  files: number;
  tasks: number;
  accepted: number;
  moduleKnown: number;
}

/** Ansible's task keywords: every other key of a task names its module (or an action such as include_tasks). */
const TASK_KEYWORDS = new Set([
  'action', 'any_errors_fatal', 'args', 'async', 'become', 'become_exe', 'become_flags', 'become_method', 'become_user',
  'changed_when', 'check_mode', 'collections', 'connection', 'debugger', 'delay', 'delegate_facts', 'delegate_to', 'diff',
  'environment', 'failed_when', 'ignore_errors', 'ignore_unreachable', 'local_action', 'loop', 'loop_control', 'module_defaults',
  'name', 'no_log', 'notify', 'poll', 'port', 'register', 'remote_user', 'retries', 'run_once', 'tags', 'throttle', 'timeout',
  'until', 'vars', 'when', 'listen', 'block', 'rescue', 'always',
]);

function parseOptions(argv: string[]): Options {
  const o: Options = { omsrun: path.resolve(import.meta.dirname, '../..'), json: false, details: false, reasons: 20, folders: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--omsrun') o.omsrun = path.resolve(argv[++i] ?? '.');
    else if (a === '--json') o.json = true;
    else if (a === '--details') o.details = true;
    else if (a === '--reasons') o.reasons = Number(argv[++i] ?? 20);
    else o.folders.push(path.resolve(a));
  }
  if (o.folders.length === 0) {
    console.error('usage: npx tsx scripts/compat/measure.ts [--omsrun DIR] [--json] [--details] [--reasons N] FOLDER...');
    process.exit(4);
  }
  return o;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'molecule', 'tests', 'test', '.github']);

// Every YAML file under a `tasks` folder.
function taskFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, inTasks: boolean): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(p, inTasks || name === 'tasks');
      } else if (inTasks && /\.ya?ml$/.test(name) && !name.startsWith('.omsrun-compat-')) out.push(p);
    }
  };
  walk(root, false);
  return out;
}

/** A leaf task: where it sits in the file (`3`, `3.block.1`) and the module it names. */
interface Leaf {
  id: string;
  module?: string;
}

function leaves(list: unknown, prefix = ''): Leaf[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i): Leaf[] => {
    const id = `${prefix}${i}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return [{ id }];
    const task = item as Record<string, unknown>;
    if ('block' in task) return ['block', 'rescue', 'always'].flatMap((k) => leaves(task[k], `${id}.${k}.`));
    const module = Object.keys(task).find((k) => !TASK_KEYWORDS.has(k) && !k.startsWith('with_'));
    const local = module === 'local_action' || (module === undefined && 'local_action' in task) ? undefined : module;
    return [{ id, module: local ?? actionModule(task) }];
  });
}

// `action: copy src=a` / `local_action: {module: copy}` name their module inside.
function actionModule(task: Record<string, unknown>): string | undefined {
  const v = task.action ?? task.local_action;
  if (typeof v === 'string') return v.trim().split(/\s+/)[0];
  if (v && typeof v === 'object' && 'module' in v) return String((v as { module: unknown }).module);
  return undefined;
}

const stripCollection = (m: string): string => m.replace(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\./, '');

// `[0].tasks[3].block[1].copy.mode` → `3.block.1` (the deepest task the key path is inside).
function leafOf(keyPath: string): string | undefined {
  const m = /^\[0\]\.tasks\[(\d+)\]((?:\.(?:block|rescue|always)\[\d+\])*)/.exec(keyPath);
  if (!m) return undefined;
  return m[1] + m[2]!.replace(/\.(block|rescue|always)\[(\d+)\]/g, '.$1.$2');
}

let details = false;

// The words of an error without its position and values, to count why tasks fail.
function reasonOf(message: string): string {
  if (details) return message.split('\n')[0]!.replace(/^\S+:\d+:\d+ \[0\]\.tasks\[\d+\]/, '');
  const detail = message.split('\n')[0]!.replace(/^\S+:\d+:\d+ /, '').replace(/^\S*?(\[\d+\]|\.\w+|\["[^"]*"\])*: /, '');
  if (detail.startsWith('template syntax error')) return 'template syntax error (Jinja that Handlebars cannot read)';
  if (detail.startsWith('expression syntax error')) return 'expression syntax error (condition)';
  const unknownModule = /^unknown module "([^"]+)"/.exec(detail);
  if (unknownModule) return `unknown module ${stripCollection(unknownModule[1]!)}`;
  return detail.replace(/"[^"]*"/g, '"…"').replace(/got .*$/, 'got …').slice(0, 90);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  details = o.details;
  const src = (p: string) => import(pathToFileURL(path.join(o.omsrun, 'src', p)).href);
  const { loadPlaybook } = await src('playbook/load.ts');
  const { getModule } = await src('modules/support/registry.ts');
  const keywords = await src('playbook/keywords.ts');
  const actions = new Set<string>([...(keywords.INCLUDE_KEYS ?? []), ...(keywords.ROLE_INCLUDE_KEYS ?? [])]);
  const known = (m: string | undefined) => m !== undefined && (getModule(stripCollection(m)) !== undefined || actions.has(stripCollection(m)));
  const tallies: Tally[] = [];
  const reasons = new Map<string, number>();
  for (const folder of o.folders) {
    const tally: Tally = { source: path.basename(folder), files: 0, tasks: 0, accepted: 0, moduleKnown: 0 };
    for (const file of taskFiles(folder)) {
      let data: unknown;
      try {
        data = YAML.parse(readFileSync(file, 'utf8'), { logLevel: 'silent', uniqueKeys: false });
      } catch {
        continue;
      }
      const found = leaves(data);
      if (found.length === 0) continue;
      tally.files++;
      tally.tasks += found.length;
      tally.moduleKnown += found.filter((l) => known(l.module)).length;
      const rejected = await rejectedLeaves(loadPlaybook, file, data, found, reasons);
      tally.accepted += found.filter((l) => !rejected.has(l.id) && ![...rejected].some((r) => l.id.startsWith(`${r}.`))).length;
    }
    tallies.push(tally);
  }
  report(o, tallies, reasons);
}

// Loads the task file wrapped in a play beside it; the ids of the tasks (or blocks) an error points into ('*': all).
async function rejectedLeaves(
  loadPlaybook: (f: string, o: object) => Promise<unknown>,
  file: string,
  data: unknown,
  found: Leaf[],
  reasons: Map<string, number>,
): Promise<Set<string>> {
  const wrapper = path.join(path.dirname(file), `.omsrun-compat-${path.basename(file)}`);
  writeFileSync(wrapper, YAML.stringify([{ hosts: 'localhost', gather_facts: false, tasks: data }]));
  const rejected = new Set<string>();
  try {
    await loadPlaybook(wrapper, { maxErrors: 1_000_000 });
  } catch (err) {
    const list = (err as { errors?: unknown[] }).errors ?? [err];
    for (const e of list as { message: string; where?: { pos?: { file?: string }; keyPath?: string } }[]) {
      if (!e.where) {
        for (const l of found) rejected.add(l.id);
        reasons.set(`internal: ${String(e.message).split('\n')[0]}`, (reasons.get(`internal: ${e.message}`) ?? 0) + found.length);
        continue;
      }
      const inWrapper = e.where.pos?.file !== undefined && path.resolve(e.where.pos.file) === wrapper;
      if (!inWrapper) continue;
      const leaf = e.where.keyPath ? leafOf(e.where.keyPath) : undefined;
      const hit = leaf === undefined ? found.map((l) => l.id) : [leaf];
      for (const id of hit) {
        if (!rejected.has(id)) reasons.set(reasonOf(e.message), (reasons.get(reasonOf(e.message)) ?? 0) + 1);
        rejected.add(id);
      }
    }
  } finally {
    rmSync(wrapper, { force: true });
  }
  return rejected;
}

function report(o: Options, tallies: Tally[], reasons: Map<string, number>): void {
  const total = tallies.reduce((t, x) => ({ source: 'total', files: t.files + x.files, tasks: t.tasks + x.tasks, accepted: t.accepted + x.accepted, moduleKnown: t.moduleKnown + x.moduleKnown }));
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, o.reasons);
  if (o.json) {
    console.log(JSON.stringify({ sources: tallies, total, reasons: Object.fromEntries(top) }, null, 2));
    return;
  }
  const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`);
  console.log('| source | task files | tasks | accepted unchanged | module known |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const t of [...tallies, total]) console.log(`| ${t.source} | ${t.files} | ${t.tasks} | ${t.accepted} (${pct(t.accepted, t.tasks)}) | ${t.moduleKnown} (${pct(t.moduleKnown, t.tasks)}) |`);
  console.log('\nMost common reasons a task is not accepted (tasks):');
  for (const [r, n] of top) console.log(`  ${String(n).padStart(5)}  ${r}`);
}

await main();
