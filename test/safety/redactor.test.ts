import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/secrets.js';
import { quoteArg } from '../../src/connection/quote.js';

describe('Redactor: every escaped form of a secret is masked', () => {
  const secret = `db-P@ss'w0rd"\\x`;
  const r = new Redactor();
  r.add(secret);

  it('raw, JSON-escaped, YAML single-quoted, shell-quoted, and JSON-escaped shell-quoted', () => {
    const shell = quoteArg(secret);
    const texts = [secret, JSON.stringify(secret), `'${secret.replace(/'/g, "''")}'`, shell, JSON.stringify({ cmd: `ls ${shell}` })];
    expect(texts.map((t) => r.mask(t))).toEqual([
      '********',
      '"********"',
      "'********'",
      "'********'",
      `{"cmd":"ls '********'"}`,
    ]);
  });
});
