// authorized_key on real files: keys added, updated, removed, exclusive, and the folder and file modes it manages.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizedKeyModule } from '../../src/modules/authorized-key.js';
import { runModule } from '../../src/modules/support/run-module.js';
import { makeContext, tempDir } from '../helpers/module-context.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa alice@lab';
const B = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCbbbbbbbbbbbbbbbbbbbbbbbb bob@lab';
const C = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYcccccccc carol@lab';
const me = process.env.USER === undefined || process.getuid?.() === 0 ? 'root' : process.env.USER;
const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

describe('authorized_key', () => {
  it('makes the folder 0700 and the file 0600, then reports no change', async () => {
    const path = join(dir, 'ssh', 'authorized_keys');
    const args = { user: me, key: A, path };
    expect(await runModule(authorizedKeyModule, args, makeContext())).toMatchObject({ changed: true, msg: 'keys updated', data: { path, user: me } });
    expect(readFileSync(path, 'utf8')).toBe(`${A}\n`);
    expect(modeOf(join(dir, 'ssh'))).toBe('0700');
    expect(modeOf(path)).toBe('0600');
    expect(await runModule(authorizedKeyModule, args, makeContext())).toMatchObject({ changed: false });
  });

  it('adds keys after those there, keeps comments, replaces a key whose options changed', async () => {
    const path = join(dir, 'authorized_keys');
    writeFileSync(path, `# team keys\n${A}\n${B}\n`);
    const out = await runModule(authorizedKeyModule, { user: me, key: `${B}\n\n${C}\n`, key_options: 'no-pty,from="10.0.0.0/8"', path }, makeContext({ diffMode: true }));
    expect(out.changed).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`# team keys\n${A}\nno-pty,from="10.0.0.0/8" ${B}\nno-pty,from="10.0.0.0/8" ${C}\n`);
    expect(out.diff?.[0]).toMatchObject({ path, before: `# team keys\n${A}\n${B}\n` });
  });

  it('exclusive leaves only the keys given; absent removes a key by its blob, whatever its comment', async () => {
    const path = join(dir, 'authorized_keys');
    writeFileSync(path, `# team keys\n${A}\n${B}\n`);
    expect((await runModule(authorizedKeyModule, { user: me, key: B, exclusive: true, path }, makeContext())).changed).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${B}\n`);
    expect((await runModule(authorizedKeyModule, { user: me, key: B.replace('bob@lab', 'other'), comment: 'bob@lab', exclusive: true, path }, makeContext())).changed).toBe(false);
    expect((await runModule(authorizedKeyModule, { user: me, key: B.replace('bob@lab', 'x'), state: 'absent', path }, makeContext())).changed).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('');
    expect((await runModule(authorizedKeyModule, { user: me, key: B, state: 'absent', path }, makeContext())).changed).toBe(false);
  });

  it('check mode writes nothing; an unknown user and a line that is no key fail with what to do', async () => {
    const path = join(dir, 'k');
    expect(await runModule(authorizedKeyModule, { user: me, key: A, path }, makeContext({ checkMode: true }))).toMatchObject({ changed: true });
    expect(() => statSync(path)).toThrow(/ENOENT/);
    expect(await runModule(authorizedKeyModule, { user: 'no-such-user-fed', key: A, path }, makeContext())).toMatchObject({
      failed: true, msg: 'user no-such-user-fed does not exist on testhost; create it first (getent passwd no-such-user-fed: rc 2)',
    });
    expect(await runModule(authorizedKeyModule, { user: me, key: 'AAAA not a key', path }, makeContext())).toMatchObject({
      failed: true, msg: 'key: "AAAA not a key" is not an SSH public key line (expected e.g. ssh-ed25519 AAAA... comment)',
    });
  });
});
