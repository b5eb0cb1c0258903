import { describe, expect, it } from 'vitest';
import { isSecretName, MASK, Redactor } from '../../src/core/secrets.js';

describe('Redactor', () => {
  it('masks secrets inside text, longest first, and in their escaped forms', () => {
    const r = new Redactor();
    r.add('p@ss: w#rd "x"');
    r.add('p@ss');
    expect(r.mask('pw=p@ss: w#rd "x" end')).toBe(`pw=${MASK} end`);
    expect(r.mask('json: "p@ss: w#rd \\"x\\""')).toBe(`json: "${MASK}"`);
  });

  it("masks a single-quoted YAML or shell form of a secret with a '", () => {
    const r = new Redactor();
    r.add("it's secret");
    expect(r.mask("a: 'it''s secret'")).toBe(`a: '${MASK}'`);
    expect(r.mask("echo 'it'\\''s secret'")).toBe(`echo '${MASK}'`);
  });

  it('masks short secrets only where a whole string equals them', () => {
    const r = new Redactor();
    r.add('42');
    expect(r.mask('42')).toBe(MASK);
    expect(r.mask('port 4242')).toBe('port 4242');
  });

  it('registers values by secret-looking names, deeply', () => {
    const r = new Redactor();
    r.addFromVars({ db: { oms_meta_password: 'hunter22' }, api_token: 'tok-123', ssh_key: 'k-9999', user: 'admin' });
    expect(r.maskDeep({ a: ['hunter22', 'tok-123 k-9999 admin'] })).toEqual({ a: [MASK, `${MASK} ${MASK} admin`] });
  });

  it('knows secret names', () => {
    expect(['password', 'oms_meta_password', 'drc_passwd', 'api_token', 'client_secret', 'ssh_key', 'private_key'].every(isSecretName)).toBe(true);
    expect(['user', 'keyboard', 'monkey_name', 'cm_url'].some(isSecretName)).toBe(false);
  });
});
