import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateOmsSettings, type NodeInput } from '../../src/oms/settings.js';
import { renderTemplateFile } from '../../src/template/render.js';

const TEMPLATE = readFileSync(new URL('../../templates/oms/config.yaml.hbs', import.meta.url), 'utf8');

const base = {
  oms_meta_host: '10.0.0.1', oms_meta_port: 2883, oms_meta_user: 'root@oms_tenant', oms_meta_password: 'p',
  oms_vip: '10.0.0.100', cm_location: 100, oms_image: 'oms:feature_4.2.0-ce',
};

function render(extra: Record<string, unknown>): string {
  const nodes: NodeInput[] = ['h1', 'h2'].map((name, i) => ({ name, vars: { ...base, ansible_host: `10.0.0.${2 + i}`, ...extra } }));
  const r = validateOmsSettings('oms_nodes', nodes);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return renderTemplateFile(TEMPLATE, { oms: r.settings, inventory_hostname: 'h1' });
}

function settingLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('templates/oms/config.yaml.hbs', () => {
  it('renders the documented keys, key: value with a space, cm_nodes as a list', () => {
    const text = render({ oms_db_prefix: 'oms', drc_user: 'drc', drc_password: 'Ocean#1', cm_region: 'cn-anhui', cm_region_cn: '安徽' });
    expect(settingLines(text)).toEqual([
      'oms_meta_host: 10.0.0.1',
      'oms_meta_port: 2883',
      'oms_meta_user: root@oms_tenant',
      'oms_meta_password: p',
      'drc_rm_db: oms_rm',
      'drc_cm_db: oms_cm',
      'drc_cm_heartbeat_db: oms_cm_hb',
      'drc_user: drc',
      'drc_password: Ocean#1',
      'cm_url: http://10.0.0.100:8088',
      'cm_location: 100',
      'cm_region: cn-anhui',
      'cm_region_cn: 安徽',
      'cm_is_default: true',
      'cm_nodes:',
      ' - 10.0.0.2',
      ' - 10.0.0.3',
      'tsdb_enabled: false',
    ]);
  });

  it('leaves out optional keys and adds the TSDB block when enabled', () => {
    const text = render({ tsdb_enabled: true, tsdb_url: '10.0.0.5:8086', tsdb_username: 'u', tsdb_password: 'pw' });
    expect(text).not.toMatch(/^(drc_user|cm_region)/m);
    expect(YAML.parse(text)).toMatchObject({ tsdb_enabled: true, tsdb_service: 'CERESDB', tsdb_url: '10.0.0.5:8086', tsdb_username: 'u', tsdb_password: 'pw' });
    for (const l of settingLines(text).filter((x) => !x.startsWith(' '))) expect(l).toMatch(/^[a-z_]+: ?\S|^cm_nodes:$/);
  });

  it('writes oms_config_extra after the documented keys, values as YAML reads them back', () => {
    const extra = { standin_init_seconds: 15, flag: true, note: 'a: b #c', zero: '007' };
    const text = render({ oms_config_extra: extra });
    expect(settingLines(text).slice(-4)).toEqual(['standin_init_seconds: 15', 'flag: true', 'note: "a: b #c"', 'zero: "007"']);
    expect(YAML.parse(text)).toMatchObject(extra);
    expect(render({})).not.toContain('oms_config_extra');
  });

  it('keeps any password intact through YAML', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0')), (pw) => {
        const parsed = YAML.parse(render({ oms_meta_password: pw, drc_user: 'd', drc_password: pw })) as Record<string, unknown>;
        expect(parsed.oms_meta_password).toBe(pw);
        expect(parsed.drc_password).toBe(pw);
      }),
      { numRuns: 200 },
    );
    const tricky = ['#x', ': y', "'q'", '"dq"', '{{ x }}', 'yes', '007', '- a', '  lead', 'null', '@at', '%p', '*star', '&amp', '!tag'];
    for (const pw of tricky) expect((YAML.parse(render({ oms_meta_password: pw })) as { oms_meta_password: string }).oms_meta_password).toBe(pw);
  });
});
