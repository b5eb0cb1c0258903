// A local user account present with the settings given (useradd, then usermod for only what differs) or absent.
import { z } from 'zod';
import { type Step, accountName, runSteps } from './support/account-steps.js';
import { failed } from './support/common.js';
import { hostExec, outputTail } from './support/host-exec.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const schema = z
  .strictObject({
    name: accountName('user').describe('Name of the user.'),
    state: z.enum(['present', 'absent']).default('present').describe('present: the account exists with the settings given; absent: it is removed.'),
    uid: z.number().int().nonnegative().optional().describe('User id.'),
    group: z.string().min(1).optional().describe("Primary group, by name or gid; it must exist. Without it a new user gets useradd's default (a group of its own name, or `-N` when a group of that name already exists)."),
    groups: z.array(accountName('group')).optional().describe('Supplementary groups (a list or "a,b"); with append false the user is in exactly these, `[]` removes every one.'),
    append: z.boolean().default(false).describe('Add the user to groups and leave it in the others.'),
    home: z.string().min(1).optional().describe('Home folder.'),
    create_home: z.boolean().default(true).describe('Create the home folder when the user is created (useradd -m; false: -M).'),
    shell: z.string().min(1).optional().describe('Login shell.'),
    system: z.boolean().default(false).describe('Create a system account (useradd -r); only when the user is created.'),
    password: z.string().optional().describe('Password as a crypt hash (e.g. from `openssl passwd -6`); never shown, and sent on stdin to `chpasswd -e`, never on a command line.'),
    update_password: z.enum(['always', 'on_create']).default('always').describe('always: set password when it differs; on_create: only for a new user.'),
    comment: z.string().optional().describe('The GECOS field (full name).'),
    expires: z.number().optional().describe('Expiry as seconds since the epoch (only the date counts); negative: never expires.'),
    remove: z.boolean().default(false).describe('With state absent: remove the home folder and mail spool too (userdel -r).'),
    force: z.boolean().default(false).describe('With state absent: remove the user even while logged in (userdel -f).'),
    generate_ssh_key: z.boolean().optional().describe('Not supported: generate a key with `command: { cmd: ssh-keygen -q -N "" -f ~NAME/.ssh/id_ed25519, creates: ... }`, or use authorized_key for a key you have.'),
  })
  .superRefine((a, ctx) => {
    if (a.generate_ssh_key) {
      ctx.addIssue({
        code: 'custom', path: ['generate_ssh_key'], input: '',
        message: 'omsrun does not generate SSH keys; use `command: { cmd: ssh-keygen -q -N "" -t ed25519 -f /home/NAME/.ssh/id_ed25519, creates: /home/NAME/.ssh/id_ed25519 }` (become_user: NAME), or authorized_key for a key you have',
      });
    }
    if (a.password !== undefined && /[:\n]/.test(a.password)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'expected a crypt hash without ":" or a line break', input: '' });
    }
  });

type Args = z.infer<typeof schema>;

/** What `getent passwd`, the primary group's name, `id -Gn` and the shadow entry say of a user. */
interface Account {
  uid: string;
  gid: string;
  gname: string;
  comment: string;
  home: string;
  shell: string;
  groups: string[];
  hash: string;
  /** Days since the epoch; '' when it never expires. */
  expire: string;
}

// One read: the groups named that do not exist, then the account (nothing when there is none).
const READ_SCRIPT = [
  'name=$1; shift',
  'for g do getent group "$g" >/dev/null || echo "nogroup:$g"; done',
  'p=$(getent passwd "$name") || exit 0',
  'echo "passwd:$p"',
  'echo "gname:$(getent group "$(echo "$p" | cut -d: -f4)" | cut -d: -f1)"',
  'echo "groups:$(id -Gn "$name")"',
  'echo "shadow:$(getent shadow "$name" | cut -d: -f2,8)"',
].join('\n');

async function readAccount(ctx: ModuleContext, name: string, named: string[]): Promise<{ account?: Account; missing: string[] } | ModuleOutcome> {
  const r = await hostExec(ctx, ['/bin/sh', '-c', READ_SCRIPT, 'sh', name, ...named]);
  if (r.rc !== 0) return failed(`cannot read the account ${name}: ${outputTail(r)}`, { rc: r.rc });
  const field: Record<string, string> = {};
  const missing: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const at = line.indexOf(':');
    if (at < 0) continue;
    const [key, value] = [line.slice(0, at), line.slice(at + 1)];
    if (key === 'nogroup') missing.push(value);
    else field[key] = value;
  }
  if (field.passwd === undefined) return { missing };
  const [, , uid = '', gid = '', comment = '', home = '', shell = ''] = field.passwd.split(':');
  const [hash = '', expire = ''] = (field.shadow ?? '').split(':');
  const gname = field.gname ?? '';
  const groups = (field.groups ?? '').split(' ').filter((g) => g !== '' && g !== gname);
  return { account: { uid, gid, gname, comment, home, shell, groups, hash, expire }, missing };
}

const isGid = (g: string) => /^\d+$/.test(g);
const day = (seconds: number) => new Date(Math.floor(seconds / 86400) * 86400_000).toISOString().slice(0, 10);

// usermod's options for what differs, each with the words that say it, as Ansible's modify_user decides.
function modifications(a: Args, u: Account): { argv: string[]; what: string[] } {
  const argv: string[] = [];
  const what: string[] = [];
  const set = (flag: string, value: string, word: string) => {
    argv.push(flag, value);
    what.push(word);
  };
  if (a.uid !== undefined && String(a.uid) !== u.uid) set('-u', String(a.uid), `uid ${a.uid}`);
  if (a.group !== undefined && a.group !== (isGid(a.group) ? u.gid : u.gname)) set('-g', a.group, `group ${a.group}`);
  if (a.groups !== undefined) {
    const want = [...new Set(a.groups)];
    const extra = u.groups.filter((g) => !want.includes(g));
    // The primary group counts as a membership: `id -Gn` lists it once, whether or not /etc/group names the user too.
    const lacking = want.filter((g) => !u.groups.includes(g) && g !== u.gname);
    if (lacking.length > 0 || (!a.append && extra.length > 0)) {
      if (a.append) argv.push('-a');
      set('-G', want.join(','), a.append ? `added to ${lacking.join(', ')}` : `groups ${want.join(', ') || '(none)'}`);
    }
  }
  if (a.comment !== undefined && a.comment !== u.comment) set('-c', a.comment, 'comment');
  if (a.home !== undefined && a.home !== u.home) set('-d', a.home, `home ${a.home}`);
  if (a.shell !== undefined && a.shell !== u.shell) set('-s', a.shell, `shell ${a.shell}`);
  if (a.expires !== undefined) {
    const now = u.expire === '' ? undefined : Number(u.expire);
    if (a.expires < 0 && now !== undefined) set('-e', '', 'no expiry');
    if (a.expires >= 0 && now !== Math.floor(a.expires / 86400)) set('-e', day(a.expires), `expires ${day(a.expires)}`);
  }
  return { argv, what };
}

function createArgv(a: Args, nameGroupExists: boolean): string[] {
  const argv = ['useradd'];
  if (a.uid !== undefined) argv.push('-u', String(a.uid));
  if (a.group !== undefined) argv.push('-g', a.group);
  else if (nameGroupExists) argv.push('-N');
  if (a.groups !== undefined && a.groups.length > 0) argv.push('-G', [...new Set(a.groups)].join(','));
  if (a.comment !== undefined) argv.push('-c', a.comment);
  if (a.home !== undefined) argv.push('-d', a.home);
  if (a.shell !== undefined) argv.push('-s', a.shell);
  if (a.expires !== undefined && a.expires >= 0) argv.push('-e', day(a.expires));
  if (a.system) argv.push('-r');
  argv.push(a.create_home ? '-m' : '-M', a.name);
  return argv;
}

const passwordStep = (a: Args): Step => ({ argv: ['chpasswd', '-e'], stdin: `${a.name}:${a.password}\n` });

interface UserPlan {
  steps: Step[];
}

// What Ansible's user module returns for a present user, read from the account.
function present(a: Args, u: Account | undefined): Record<string, unknown> {
  return {
    name: a.name, state: 'present', append: a.append, create_home: a.create_home, system: a.system,
    ...(a.groups !== undefined ? { groups: a.groups.join(',') } : {}),
    ...(a.password !== undefined ? { password: 'NOT_LOGGING_PASSWORD' } : {}),
    ...(u ? { uid: Number(u.uid), group: Number(u.gid), comment: u.comment, home: u.home, shell: u.shell } : {}),
  };
}

const absentData = (a: Args) => ({ name: a.name, state: 'absent', remove: a.remove, force: a.force });

export const userModule = defineModule<Args, UserPlan>({
  name: 'user',
  description: 'Manages a local user account: created with useradd, only what differs changed with usermod, removed with userdel; the password hash never shown.',
  schema,
  secretArgs: ['password'],
  check: async (a, ctx) => {
    if (a.password !== undefined && !/^(\$|!|\*)/.test(a.password) && a.password !== '') {
      ctx.warn(`user ${a.name}: the password does not look like a crypt hash; give the hash (e.g. from \`openssl passwd -6\`), not the password itself`);
    }
    const named = a.state === 'present' ? [...(a.group !== undefined && !isGid(a.group) ? [a.group] : []), ...(a.groups ?? []), a.name] : [];
    const read = await readAccount(ctx, a.name, named);
    if ('changed' in read) return { changes: false, outcome: read };
    const { account, missing } = read;
    if (a.state === 'absent') {
      if (!account) return { changes: false, outcome: { data: absentData(a) } };
      const argv = ['userdel', ...(a.force ? ['-f'] : []), ...(a.remove ? ['-r'] : []), a.name];
      return { changes: true, summary: `remove user ${a.name}`, data: { steps: [{ argv }] } };
    }
    const unknown = missing.filter((g) => g !== a.name);
    if (unknown.length > 0) return { changes: false, outcome: failed(`group ${unknown.join(', ')} does not exist; create it first (group module)`) };
    if (!account) {
      const steps: Step[] = [{ argv: createArgv(a, !missing.includes(a.name)) }];
      if (a.password !== undefined) steps.push(passwordStep(a));
      return { changes: true, summary: `create user ${a.name}`, data: { steps } };
    }
    const mod = modifications(a, account);
    const steps: Step[] = mod.argv.length > 0 ? [{ argv: ['usermod', ...mod.argv, a.name] }] : [];
    if (a.password !== undefined && a.update_password === 'always' && a.password !== account.hash) {
      steps.push(passwordStep(a));
      mod.what.push('password');
    }
    if (steps.length === 0) return { changes: false, outcome: { data: present(a, account) } };
    return { changes: true, summary: `user ${a.name}: ${mod.what.join(', ')}`, data: { steps } };
  },
  apply: async (a, plan, ctx) => {
    const bad = await runSteps(ctx, plan!.steps, a.password);
    if (bad) return bad;
    if (a.state === 'absent') return { changed: true, msg: `removed user ${a.name}`, data: absentData(a) };
    const after = await readAccount(ctx, a.name, []);
    const account = 'changed' in after ? undefined : after.account;
    return { changed: true, msg: plan!.steps[0]!.argv[0] === 'useradd' ? `created user ${a.name}` : `changed user ${a.name}`, data: present(a, account) };
  },
});
