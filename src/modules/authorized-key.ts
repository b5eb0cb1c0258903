// SSH public keys of a user present in (or absent from) their authorized_keys, as Ansible's authorized_key.
import { z } from 'zod';
import { applyPath } from '../connection/fs-ops.js';
import { failed } from './support/common.js';
import { applyEdit, checkEdit, splitLines, type Edit, type EditPlan, type FileText } from './support/edit-file.js';
import { defineModule, type ModuleContext, type ModuleOutcome } from './support/module.js';

const schema = z.strictObject({
  user: z.string().min(1).describe('The user whose authorized_keys file is managed; it must exist on the host.'),
  key: z.string().min(1).describe('One public key line (`ssh-ed25519 AAAA... comment`), or several, one a line.'),
  state: z.enum(['present', 'absent']).default('present').describe('present: the keys are in the file; absent: they are removed.'),
  exclusive: z.boolean().default(false).describe('Remove every other key (and comment line) from the file.'),
  key_options: z.string().min(1).optional().describe('Options put before each key, e.g. `no-port-forwarding,from="10.0.0.0/8"`; they replace any options in key.'),
  comment: z.string().optional().describe('Comment put after each key instead of its own.'),
  path: z.string().min(1).optional().describe('The file instead of `~user/.ssh/authorized_keys`.'),
  manage_dir: z.boolean().default(true).describe('When the file changes, make its folder exist with mode 0700 owned by the user; a new file gets mode 0600 and the user as owner.'),
});

type Args = z.infer<typeof schema>;

const KEY_TYPE = /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?$/;

/** A parsed key line; `blob` identifies the key. */
interface Key {
  options: string;
  type: string;
  blob: string;
  comment: string;
}

// Options may hold quoted spaces (`command="a b"`), so words are split outside quotes.
function parseKey(line: string): Key | undefined {
  const words = line.trim().match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const at = words.findIndex((w) => KEY_TYPE.test(w));
  if (at < 0 || at > 1 || words[at + 1] === undefined) return undefined;
  return { options: words.slice(0, at).join(' '), type: words[at]!, blob: words[at + 1]!, comment: words.slice(at + 2).join(' ') };
}

const render = (k: Key) => [k.options, k.type, k.blob, k.comment].filter(Boolean).join(' ');

// The keys asked for, with key_options and comment applied; a line that is not a key is the argument's mistake.
function wantedKeys(a: Args): Key[] | string {
  const out: Key[] = [];
  for (const line of a.key.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const k = parseKey(line);
    if (!k) return `key: ${JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}...` : line)} is not an SSH public key line (expected e.g. ssh-ed25519 AAAA... comment)`;
    out.push({ ...k, options: a.key_options ?? k.options, comment: a.comment ?? k.comment });
  }
  return out.length > 0 ? out : 'key: no key line given';
}

function edit(a: Args, wanted: Key[], file: FileText): Edit {
  const lines = splitLines(file.text).map((l) => l.replace(/\r?\n$/, ''));
  const blobs = new Set(wanted.map((k) => k.blob));
  let kept = lines.filter((l) => {
    const k = parseKey(l);
    if (a.exclusive && a.state === 'present') return k !== undefined && blobs.has(k.blob);
    return !(a.state === 'absent' && k && blobs.has(k.blob));
  });
  if (a.state === 'present') {
    for (const want of wanted) {
      const at = kept.findIndex((l) => parseKey(l)?.blob === want.blob);
      const line = render(want);
      if (at < 0) kept.push(line);
      else if (render(parseKey(kept[at]!)!) !== line) kept[at] = line;
    }
  }
  kept = kept.filter((l, i) => !(a.exclusive && kept.indexOf(l) !== i));
  const after = kept.length > 0 ? `${kept.join('\n')}\n` : '';
  if (after === (file.text ?? '') || (!file.st.exists && a.state === 'absent')) return { msg: '' };
  return { after, msg: a.state === 'absent' ? 'keys removed' : 'keys updated' };
}

/** What getent says of the user: home folder and login group id. */
async function account(ctx: ModuleContext, user: string): Promise<{ home: string; gid: string } | ModuleOutcome> {
  const r = await ctx.conn.exec(['getent', 'passwd', user], { become: ctx.become });
  const fields = r.stdout.trim().split(':');
  if (r.rc !== 0 || fields.length < 7) return failed(`user ${user} does not exist on ${ctx.host}; create it first (getent passwd ${user}: rc ${r.rc})`);
  return { home: fields[5]!, gid: fields[3]! };
}

interface KeyPlan extends EditPlan {
  folder?: { path: string; gid: string };
}

export const authorizedKeyModule = defineModule<Args, KeyPlan>({
  name: 'authorized_key',
  description: 'Adds or removes SSH public keys in a user\'s authorized_keys file, as Ansible\'s authorized_key does.',
  schema,
  check: async (args, ctx) => {
    const wanted = wantedKeys(args);
    if (typeof wanted === 'string') return { changes: false, outcome: failed(wanted) };
    const who = await account(ctx, args.user);
    if (!('home' in who)) return { changes: false, outcome: who };
    const path = args.path ?? `${who.home.replace(/\/$/, '')}/.ssh/authorized_keys`;
    const plan = await checkEdit({ path, backup: false }, ctx, (file) => edit(args, wanted, file));
    if (!plan.changes || !plan.data) return plan;
    const data: KeyPlan = { ...plan.data, data: { ...plan.data.data, user: args.user } };
    if (!data.existed) data.attrs = { mode: '0600', owner: args.user, group: who.gid };
    if (args.manage_dir) data.folder = { path: data.target.slice(0, data.target.lastIndexOf('/')) || '/', gid: who.gid };
    return { ...plan, data };
  },
  apply: async (args, plan, ctx) => {
    if (plan?.folder) {
      await applyPath(ctx.conn, plan.folder.path, 'dir', { mode: '0700', owner: args.user, group: plan.folder.gid }, ctx.become);
      plan.noFolder = false;
    }
    return applyEdit({ path: plan?.data.path as string, backup: false }, plan, ctx);
  },
});
