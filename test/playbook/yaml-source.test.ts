import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatKeyPath, issuesToErrors, parseYamlText } from '../../src/core/yaml-source.js';
import { tree } from '../inventory/tmp-tree.js';

const text = `name: demo
tasks:
  - wait_for:
      port: 80a
  - empty:
list: [1, "two", 3]
`;

describe('yaml-source', () => {
  it('formats key paths the way users write them', () => {
    expect(formatKeyPath(['tasks', 3, 'wait_for', 'port'])).toBe('tasks[3].wait_for.port');
    expect(formatKeyPath([0, 'vars', 'my key'])).toBe('[0].vars["my key"]');
  });

  it('finds positions of values, keys, empty values and missing keys', () => {
    tree({});
    const src = parseYamlText(text, 'pb.yml');
    expect(src.display).toBe('pb.yml');
    expect(src.posOf(['tasks', 0, 'wait_for', 'port'])).toEqual({ file: 'pb.yml', line: 4, col: 13 });
    expect(src.posOfKey(['tasks', 0, 'wait_for', 'port'])).toEqual({ file: 'pb.yml', line: 4, col: 7 });
    expect(src.posOf(['tasks', 1, 'empty'])).toEqual({ file: 'pb.yml', line: 5, col: 5 });
    expect(src.posOf(['tasks', 0, 'wait_for', 'missing'])).toEqual({ file: 'pb.yml', line: 4, col: 7 });
    expect(src.posOf(['list', 1])).toEqual({ file: 'pb.yml', line: 6, col: 11 });
  });

  it('maps zod issues to friendly positioned messages', () => {
    tree({});
    const src = parseYamlText(text, 'pb.yml');
    const schema = z.strictObject({
      name: z.string().min(5),
      tasks: z.array(z.unknown()).max(1),
      list: z.array(z.union([z.number(), z.boolean()])),
      mode: z.string(),
    });
    const res = schema.safeParse(src.data);
    expect(res.success).toBe(false);
    const messages = issuesToErrors(res.error!.issues, src.data, schema, src).map((e) => e.message);
    expect(messages).toEqual([
      'pb.yml:1:7 name: expected at least 5 characters, got 4 characters',
      'pb.yml:3:3 tasks: expected at most 1 items, got 2 items',
      'pb.yml:6:11 list[1]: expected a number or true or false, got "two"',
      'pb.yml:1:1: missing required key "mode"',
    ]);
  });

  it('never quotes a value under a secret-looking key, and keeps a custom "expected ..." message whole', () => {
    const src = parseYamlText('db_password: 123456789\nconn: { api_token: 42424242 }\nmode: rwx\n', 'pb.yml');
    const schema = z.strictObject({
      db_password: z.string(),
      conn: z.object({ api_token: z.string() }),
      mode: z.string().regex(/^[0-7]{4}$/, { error: (iss) => `expected an octal mode such as '0644', got '${String(iss.input)}'` }),
    });
    const res = schema.safeParse(src.data);
    expect(issuesToErrors(res.error!.issues, src.data, schema, src).map((e) => e.message)).toEqual([
      'pb.yml:1:14 db_password: expected a string, got ********',
      'pb.yml:2:20 conn.api_token: expected a string, got ********',
      "pb.yml:3:7 mode: expected an octal mode such as '0644', got 'rwx'",
    ]);
  });

  it("reads YAML merge keys (<<: *anchor) as Ansible does: the anchor's keys, overridden by the mapping's own", () => {
    const src = parseYamlText(`login: &login
  login_host: db1
  login_user: root
task:
  <<: *login
  login_user: app
  name: shop
both:
  <<: [*login, { port: 3307 }]
`, 'pb.yml');
    expect(src.data).toEqual({
      login: { login_host: 'db1', login_user: 'root' },
      task: { login_host: 'db1', login_user: 'app', name: 'shop' },
      both: { login_host: 'db1', login_user: 'root', port: 3307 },
    });
    expect(src.posOf(['task', 'name'])).toEqual({ file: 'pb.yml', line: 7, col: 9 });
  });
});

