import { $ } from 'zx';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Lab, type LabHost, freeSideSubnet, hostDocker, labDown, labEnabled, labUp } from './lab-helper.js';
import { type OmsImage, OMS_STANDIN_TAG, buildOmsImage, loadOmsImage, omsArchiveName } from '../../scripts/lab/oms-image.js';
import { type MetaDb, startMetaDb } from '../../scripts/lab/lab-metadb.js';
import { startVip, stopVip, vipServerStates } from '../../scripts/lab/lab-vip.js';
import { sleep, waitFor } from '../../scripts/lab/proc.js';
import { yamlScalar } from '../../src/template/helpers.js';
import { Agent, fetch as tlsFetch } from 'undici';
import { execFileSync } from 'node:child_process';

const DIR = '/tmp/omsrun-lab-omsimg';
const SUCCESS = '【结束】全部初始化步骤执行成功';
let lab: Lab;
let image: OmsImage;
let db: MetaDb;
const timings: Record<string, number> = {};

const docker = (host: LabHost) => $({ quiet: true, nothrow: true, env: { ...process.env, ...hostDocker(host) } });

// config.yaml lines as the documents show them; `over` replaces or adds lines by key.
function config(over: Record<string, string | null> = {}): string {
  const base: Record<string, string | null> = {
    oms_meta_host: db.host, oms_meta_port: String(db.port), oms_meta_user: db.user,
    oms_meta_password: yamlScalar(db.password), drc_rm_db: 'oms_rm', drc_cm_db: 'oms_cm', drc_cm_heartbeat_db: 'oms_cm_heartbeat',
    cm_url: 'http://198.18.255.254:8088', cm_location: '100', cm_is_default: 'true',
    cm_nodes: `\n - ${lab.hosts[0]!.ip}\n - ${lab.hosts[1]!.ip}`, standin_init_seconds: '1', ...over,
  };
  return Object.entries(base).filter(([, v]) => v !== null).map(([k, v]) => (k.startsWith('#') ? v : `${k}: ${v}`)).join('\n') + '\n';
}

// Starts a container with the documented command line; mounts live in the host's /data/oms/<name>.
async function run(host: LabHost, name: string, yaml: string, extra: string[] = []): Promise<string> {
  const base = join(host.dir, 'data', 'oms', name);
  rmSync(base, { recursive: true, force: true });
  for (const d of ['oms_logs', 'oms_store', 'oms_run']) mkdirSync(join(base, d), { recursive: true });
  writeFileSync(join(base, 'config.yaml'), yaml);
  const h = `/data/oms/${name}`;
  await docker(host)`docker rm -f ${name}`;
  const out = await docker(host)`docker run -dit --net host -v ${`${h}/config.yaml:/home/admin/conf/config.yaml`} -v ${`${h}/oms_logs:/home/admin/logs`} -v ${`${h}/oms_store:/home/ds/store`} -v ${`${h}/oms_run:/home/ds/run`} ${extra} -e ${`OMS_HOST_IP=${host.ip}`} --privileged=true --pids-limit -1 --ulimit nproc=65535:65535 --name ${name} ${image.tag}`;
  expect(out.stderr).toBe('');
  return base;
}

const exec = (host: LabHost, name: string, ...argv: string[]) => docker(host)`docker exec ${name} ${argv}`;
const init = (host: LabHost, name: string) => exec(host, name, 'bash', '/root/docker_init.sh');

// Runs SQL on the lab MetaDB from the controller as oms_meta.
async function metaQuery(sql: string, params: unknown[] = []): Promise<unknown> {
  const conn = await mysql.createConnection({ ...db, connectTimeout: 3000 });
  try {
    return (await conn.query(sql, params))[0];
  } finally {
    await conn.end();
  }
}

const databases = async (): Promise<string[]> => ((await metaQuery('SHOW DATABASES')) as { Database: string }[]).map((r) => r.Database);

// Passwords the playbooks may render: YAML indicators, quotes, backslashes, spaces, escapes.
const HOSTILE = [
  'OmsMeta#lab:1', 'a #b', '#start', 'k: v', 'x:y', '"dq"', "it's", "''", '\\', 'back\\slash\\"', 'end\\',
  ' lead and trail ', 'tab\there', "mix \"'#: \\ ok", '-dash', '[x]', '{y}', '&a *b !c', '|>', '%@`', 'yes', 'null', '~',
  '0x1F', '1e3', 'é ü 中文 😀', 'nl\nin', '\u0001ctl', 'null ', '\u00a0nbsp',
];

async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe.skipIf(!labEnabled())('stand-in OMS image', () => {
  beforeAll(async () => {
    lab = await labUp({ hosts: 2, docker: 2, name: 'omsimg', dir: DIR, subnet: await freeSideSubnet() });
    db = await startMetaDb(lab);
    const t = Date.now();
    image = await buildOmsImage({ env: hostDocker(lab.hosts[0]!) });
    timings['build (or cache) ms'] = Date.now() - t;
    timings['archive bytes'] = image.bytes;
    await Promise.all(lab.hosts.map((h) => loadOmsImage(hostDocker(h), image)));
  }, 120_000);
  afterAll(async () => {
    console.log('oms-image timings', timings);
    await labDown(DIR, 'omsimg');
  }, 60_000);

  it('is packaged like OMS: oms_<tag>.tar.gz, cached while the scripts stay the same', async () => {
    expect(image.archive.endsWith(omsArchiveName(OMS_STANDIN_TAG))).toBe(true);
    expect(omsArchiveName(OMS_STANDIN_TAG)).toBe('oms_feature_4.2.0-ce.tar.gz');
    const again = await buildOmsImage({ env: hostDocker(lab.hosts[0]!) });
    expect(again).toMatchObject({ cached: true, imageId: image.imageId, archive: image.archive });
    const id = await docker(lab.hosts[1]!)`docker image inspect --format {{.Id}} ${image.tag}`;
    expect(id.stdout.trim()).toBe(image.imageId);
  });

  it('initialises a node: banners, success line, log file, 8088/8089 on the host IP, container log', async () => {
    const h = lab.hosts[0]!;
    const base = await run(h, 'oms_ok', config({ standin_lob_error: 'true' }));
    for (const n of ['oms_rm', 'oms_cm', 'oms_cm_heartbeat']) await metaQuery(`DROP DATABASE IF EXISTS \`${n}\``);
    expect(await databases()).not.toContain('oms_rm');
    const t = Date.now();
    const out = await init(h, 'oms_ok');
    timings['init ms'] = Date.now() - t;
    if (out.exitCode !== 0) console.log(out.stdout, out.stderr);
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines.filter((l) => /^# 【步骤[一二三四五]】/.test(l))).toHaveLength(5);
    expect(lines.at(-2)).toBe(`# ${SUCCESS}`);
    expect(lines).toContain('ERROR 1235 (0A000): Modify large text/lob column not supported');
    expect(out.stdout).toMatch(/answered: MySQL protocol 10, server .*MariaDB/);
    expect(lines).toContain('[INFO] database `oms_cm_heartbeat` (drc_cm_heartbeat_db) present');
    expect(await databases()).toEqual(expect.arrayContaining(['oms_rm', 'oms_cm', 'oms_cm_heartbeat']));
    expect((await exec(h, 'oms_ok', 'python', '-m', 'omsflow.scripts.units.oms_init_manager', '--init-db')).exitCode).toBe(0);
    const logs = readdirSync(join(base, 'oms_logs')).filter((f) => /^docker_init_\d{14}\.log$/.test(f));
    expect(logs).toHaveLength(1);
    expect(readFileSync(join(base, 'oms_logs', 'standin_init_runs.log'), 'utf8')).toMatch(/^start (\d+) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nend \1 0 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);
    expect(readFileSync(join(base, 'oms_logs', logs[0]!), 'utf8')).toBe(out.stdout);
    const cm = JSON.parse((await get(`http://${h.ip}:8088/`)).body) as Record<string, unknown>;
    expect(cm).toMatchObject({ node: h.ip, cm_url: 'http://198.18.255.254:8088', cm_location: 100 });
    const page = await get(`http://${h.ip}:8089/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>OceanBase Migration Service</title>');
    const health = await get(`http://${h.ip}:8089/oms/health`);
    expect([health.status, health.type]).toEqual([200, 'application/json']);
    expect(JSON.parse(health.body)).toMatchObject({ success: true, data: { healthy: true, initialized: true, node: h.ip } });
    const log = await docker(h)`docker logs oms_ok`;
    expect(log.stdout.trim().split('\n').at(-1)).toBe('OMS service start successfully');
  });

  const bad: [string, Record<string, string | null>, string][] = [
    ['a missing key', { drc_cm_db: null }, "required key 'drc_cm_db' is missing"],
    ['no space after a colon', { oms_meta_port: null, '#1': 'oms_meta_port:3306' }, "line 14: oms_meta_port:3306: a space must follow the colon"],
    ['cm_location 200', { cm_location: '200' }, "cm_location must be an integer in [0,127]; got '200'"],
    ['its own IP not in cm_nodes', { cm_nodes: '\n - 198.18.255.9' }, 'is not listed in cm_nodes (198.18.255.9)'],
    ['an unreachable MetaDB', { oms_meta_port: '3399' }, 'is unreachable or sent no MySQL greeting'],
    ['an unclosed quote', { oms_meta_password: '"secret' }, 'config.yaml: oms_meta_password: double-quoted value has no closing quote'],
  ];
  it.each(bad)('fails on %s, explains why and leaves the log', async (_, over, reason) => {
    const h = lab.hosts[1]!;
    const base = await run(h, 'oms_bad', config(over));
    const out = await init(h, 'oms_bad');
    expect(out.exitCode).not.toBe(0);
    expect(out.stdout).toContain(reason);
    expect(out.stdout).toContain('【失败】');
    expect(out.stdout).not.toContain(SUCCESS);
    const logs = readdirSync(join(base, 'oms_logs')).filter((f) => f.startsWith('docker_init_'));
    expect(readFileSync(join(base, 'oms_logs', logs[0]!), 'utf8')).toContain('[ERROR]');
    expect((await exec(h, 'oms_bad', 'supervisorctl', 'status', 'oms_console')).exitCode).toBe(3);
  });

  it('records each start and end of docker_init.sh, and the signal that stopped one', async () => {
    const h = lab.hosts[1]!;
    const base = await run(h, 'oms_runs', config({ standin_init_seconds: '5' }));
    const record = join(base, 'oms_logs', 'standin_init_runs.log');
    const running = init(h, 'oms_runs');
    expect(await waitFor(() => existsSync(record), 10_000, 50)).toBe(true);
    const pid = readFileSync(record, 'utf8').split(' ')[1]!;
    expect((await exec(h, 'oms_runs', 'kill', '-TERM', `-${pid}`)).exitCode).toBe(0);
    expect((await running).exitCode).toBe(143);
    expect(readFileSync(record, 'utf8')).toMatch(new RegExp(`^start ${pid} [\\d: -]{19}\nend ${pid} TERM [\\d: -]{19}\n$`));
    await docker(h)`docker rm -f oms_runs`;
  });

  it('wrong MetaDB password: init fails on the server\'s Access denied line; the password shows nowhere', async () => {
    const h = lab.hosts[1]!;
    const wrong = 'Wr0ng "pw" #: \\x';
    const base = await run(h, 'oms_badpw', config({ oms_meta_password: yamlScalar(wrong) }));
    const out = await init(h, 'oms_badpw');
    expect(out.exitCode).not.toBe(0);
    const err = out.stdout.split('\n').find((l) => l.startsWith('[ERROR] MetaDB login'));
    expect(err).toBe(`[ERROR] MetaDB login or CREATE DATABASE as oms_meta on ${db.host}:3306 failed: ERROR 1045 (28000): Access denied for user 'oms_meta'@'${h.ip}' (using password: YES)`);
    expect(out.stdout).toContain('【失败】');
    const logs = readdirSync(join(base, 'oms_logs')).filter((f) => f.startsWith('docker_init_'));
    const log = readFileSync(join(base, 'oms_logs', logs[0]!), 'utf8');
    for (const text of [out.stdout, out.stderr, log]) {
      expect(text).not.toContain('Wr0ng');
      expect(text).not.toContain(db.password);
    }
    await docker(h)`docker rm -f oms_badpw`;
  });

  it('logs in with a hostile password and creates databases whose names need backtick quoting', async () => {
    const h = lab.hosts[1]!;
    const pw = `h#: "q" 's' \\ \\" end`;
    await metaQuery("CREATE USER IF NOT EXISTS 'oms_hostile'@'%' IDENTIFIED BY ?", [pw]);
    await metaQuery("ALTER USER 'oms_hostile'@'%' IDENTIFIED BY ?", [pw]);
    await metaQuery("GRANT ALL PRIVILEGES ON *.* TO 'oms_hostile'@'%'");
    const names = ['h rm`1 #x', "h'cm", 'h_hb'];
    for (const n of names) await metaQuery(`DROP DATABASE IF EXISTS \`${n.replace(/`/g, '``')}\``);
    await run(h, 'oms_hostile', config({
      oms_meta_user: 'oms_hostile', oms_meta_password: yamlScalar(pw),
      drc_rm_db: yamlScalar(names[0]), drc_cm_db: yamlScalar(names[1]), drc_cm_heartbeat_db: yamlScalar(names[2]),
    }));
    const out = await init(h, 'oms_hostile');
    if (out.exitCode !== 0) console.log(out.stdout);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('[INFO] CREATE DATABASE IF NOT EXISTS `h rm``1 #x` (drc_rm_db)');
    expect(await databases()).toEqual(expect.arrayContaining(names));
    expect(out.stdout).not.toContain(pw);
    await docker(h)`docker rm -f oms_hostile`;
  });

  it('oms-lib.sh cfg_get reads every value the yaml helper renders exactly as YAML does (run by the image\'s own shell)', async () => {
    const samples = fc.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), { seed: 7, numRuns: 200 });
    const values = [...HOSTILE, ...samples].filter((v) => !v.includes('\0') && !v.endsWith('\n'));
    const yaml = values.map((v, i) => `k${i}: ${yamlScalar(v)}`).join('\n') + '\n';
    const script = `cat >/tmp/c.yaml; . /home/admin/standin/oms-lib.sh; i=0; while [ $i -lt ${values.length} ]; do cfg_get k$i /tmp/c.yaml || echo "rc=$?"; printf '\\001'; i=$((i+1)); done`;
    const h = lab.hosts[0]!;
    const out = await $({ quiet: true, nothrow: true, input: yaml, env: { ...process.env, ...hostDocker(h) } })`docker run -i --rm --network none --entrypoint /bin/sh ${image.tag} -c ${script}`;
    expect(out.stderr).toBe('');
    const got = out.stdout.split('\n\u0001').slice(0, -1);
    const wrong = values.map((v, i) => [v, got[i]]).filter(([v, g]) => v !== g);
    expect(wrong).toEqual([]);
    expect(got).toHaveLength(values.length);
    const broken = ['"open', "'open", '"a" b', "'a' b", '"\\q"', '"\\x4g"'];
    const byaml = broken.map((v, i) => `b${i}: ${v}`).join('\n') + '\n';
    const bscript = `cat >/tmp/c.yaml; . /home/admin/standin/oms-lib.sh; for i in 0 1 2 3 4 5; do cfg_get b$i /tmp/c.yaml 2>&1; echo "rc=$?"; done`;
    const bout = await $({ quiet: true, nothrow: true, input: byaml, env: { ...process.env, ...hostDocker(h) } })`docker run -i --rm --network none --entrypoint /bin/sh ${image.tag} -c ${bscript}`;
    expect(bout.stdout.trim().split('\n')).toEqual([
      'b0: double-quoted value has no closing quote', 'rc=2', 'b1: single-quoted value has no closing quote', 'rc=2',
      'b2: text after the closing quote', 'rc=2', 'b3: text after the closing quote', 'rc=2',
      'b4: unknown escape \\q in a double-quoted value', 'rc=2', 'b5: bad escape \\x4g in a double-quoted value', 'rc=2',
    ]);
  });

  it('supervisorctl: status in supervisord format, stop/start/restart move the listeners', async () => {
    const h = lab.hosts[0]!;
    const st = await exec(h, 'oms_ok', 'supervisorctl', 'status');
    expect(st.exitCode).toBe(0);
    for (const p of ['crond', 'nginx', 'oms_console', 'oms_drc_cm', 'oms_drc_supervisor', 'sshd']) {
      expect(st.stdout).toMatch(new RegExp(`^${p} +RUNNING   pid \\d+, uptime \\d+:\\d\\d:\\d\\d$`, 'm'));
    }
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'stop', 'oms_console')).stdout.trim()).toBe('oms_console: stopped');
    const stopped = await exec(h, 'oms_ok', 'supervisorctl', 'status', 'oms_console');
    expect([stopped.exitCode, /^oms_console +STOPPED /.test(stopped.stdout)]).toEqual([3, true]);
    await expect(get(`http://${h.ip}:8089/oms/health`)).rejects.toThrow();
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'start', 'oms_console')).exitCode).toBe(0);
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'stop', 'oms_drc_cm')).exitCode).toBe(0);
    const sick = await get(`http://${h.ip}:8089/oms/health`);
    expect([sick.status, JSON.parse(sick.body).data]).toEqual([200, {
      healthy: false, initialized: true, node: h.ip,
      components: [{ name: 'oms_console', status: 'RUNNING' }, { name: 'oms_drc_cm', status: 'STOPPED' }, { name: 'oms_drc_supervisor', status: 'RUNNING' }],
    }]);
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'start', 'oms_drc_cm')).exitCode).toBe(0);
    expect(JSON.parse((await get(`http://${h.ip}:8089/oms/health`)).body).data.healthy).toBe(true);
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'stop', 'oms_console')).exitCode).toBe(0);
    const re = await exec(h, 'oms_ok', 'supervisorctl', 'restart', 'oms_console', 'oms_drc_supervisor');
    expect(re.stdout.trim().split('\n')).toEqual(['oms_drc_supervisor: stopped', 'oms_console: started', 'oms_drc_supervisor: started']);
    expect((await get(`http://${h.ip}:8089/oms/health`)).status).toBe(200);
    expect((await exec(h, 'oms_ok', 'supervisorctl', 'stop', 'nosuch')).stdout.trim()).toBe('nosuch: ERROR (no such process)');
  });

  it('--init-config-file rewrites component configs and says what changed; a restart loads them', async () => {
    const h = lab.hosts[0]!;
    writeFileSync(join(h.dir, 'data/oms/oms_ok/config.yaml'), config({ cm_url: 'http://198.18.255.253:8088' }));
    const out = await exec(h, 'oms_ok', 'python', '-m', 'omsflow.scripts.units.oms_init_manager', '--init-config-file');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('[INFO] changed /home/ds/run/conf/oms_console.properties:');
    expect(out.stdout).toContain('+ cm.url=http://198.18.255.253:8088');
    expect(out.stdout.match(/\[INFO\] changed /g)).toHaveLength(3);
    expect(JSON.parse((await get(`http://${h.ip}:8089/oms/health`)).body).cm_url).toBe('http://198.18.255.254:8088');
    await exec(h, 'oms_ok', 'supervisorctl', 'restart', 'oms_console', 'oms_drc_supervisor');
    expect(JSON.parse((await get(`http://${h.ip}:8089/oms/health`)).body).cm_url).toBe('http://198.18.255.253:8088');
    const again = await exec(h, 'oms_ok', 'python', '-m', 'omsflow.scripts.units.oms_init_manager', '--init-config-file');
    expect(again.stdout.match(/unchanged/g)).toHaveLength(3);
  });

  it('comes back by itself after a container restart, and in a re-created container with the same mounts', async () => {
    const h = lab.hosts[0]!;
    expect((await docker(h)`docker restart -t 5 oms_ok`).exitCode).toBe(0);
    expect(await waitFor(async () => (await get(`http://${h.ip}:8089/oms/health`).catch(() => undefined))?.status === 200, 10_000, 100)).toBe(true);
    expect((await docker(h)`docker logs oms_ok`).stdout.trim().split('\n').at(-1)).toBe('OMS service start successfully');
    await docker(h)`docker rm -f oms_ok`;
    const yaml = readFileSync(join(h.dir, 'data/oms/oms_ok/config.yaml'), 'utf8');
    const p = `/data/oms/oms_ok`;
    await docker(h)`docker run -dit --net host -v ${`${p}/config.yaml:/home/admin/conf/config.yaml`} -v ${`${p}/oms_logs:/home/admin/logs`} -v ${`${p}/oms_store:/home/ds/store`} -v ${`${p}/oms_run:/home/ds/run`} -e ${`OMS_HOST_IP=${h.ip}`} --privileged=true --pids-limit -1 --ulimit nproc=65535:65535 --name oms_ok ${image.tag}`;
    expect(yaml).toContain('cm_url');
    expect(await waitFor(async () => (await get(`http://${h.ip}:8088/`).catch(() => undefined))?.status === 200, 10_000, 100)).toBe(true);
  });

  it('serves HTTPS only when the certificate and key are mounted: real TLS with that certificate, plain HTTP gets no answer', async () => {
    const h = lab.hosts[1]!;
    const pki = join(h.dir, 'data/oms/pki');
    mkdirSync(pki, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(pki, 'key'), '-out', join(pki, 'crt'), '-days', '2',
      '-subj', '/CN=oms-standin', '-addext', `subjectAltName=IP:${h.ip}`], { stdio: 'ignore' });
    await run(h, 'oms_tls', config(), ['-v', '/data/oms/pki/crt:/etc/pki/nginx/oms_server.crt', '-v', '/data/oms/pki/key:/etc/pki/nginx/oms_server.key']);
    expect((await init(h, 'oms_tls')).exitCode).toBe(0);
    const plain = await get(`http://${h.ip}:8089/oms/health`).then((r) => r.status, () => -1);
    expect(plain).toBe(-1);
    const tls = new Agent({ connect: { ca: readFileSync(join(pki, 'crt'), 'utf8') } });
    try {
      const res = await tlsFetch(`https://${h.ip}:8089/oms/health`, { dispatcher: tls, signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { healthy: boolean } }).data.healthy).toBe(true);
    } finally {
      await tls.close();
    }
    await docker(h)`docker rm -f oms_tls`;
  });

  it('behind the VIP: both nodes serve; a node whose services stop drops out and the VIP keeps answering', async () => {
    const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
    await run(h2, 'oms_ok2', config());
    expect((await init(h2, 'oms_ok2')).exitCode).toBe(0);
    const vip = await startVip(lab, [h1.ip, h2.ip]);
    await sleep(600);
    const nodes = async (n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push(JSON.parse((await get(`http://${vip.ip}:8088/`)).body).node as string);
      return new Set(seen);
    };
    expect(await nodes(4)).toEqual(new Set([h1.ip, h2.ip]));
    const t = Date.now();
    await exec(h1, 'oms_ok', 'supervisorctl', 'stop', 'oms_console', 'oms_drc_cm');
    expect(await nodes(6)).toEqual(new Set([h2.ip]));
    expect(await waitFor(async () => (await vipServerStates(lab.dir))[`nodes_8088/${h1.ip}`] === 'DOWN', 5000, 20)).toBe(true);
    timings['vip failover (backend marked DOWN) ms'] = Date.now() - t;
    await exec(h1, 'oms_ok', 'supervisorctl', 'start', 'oms_console', 'oms_drc_cm');
    const back = Date.now();
    expect(await waitFor(async () => (await vipServerStates(lab.dir))[`nodes_8088/${h1.ip}`] === 'UP', 5000, 20)).toBe(true);
    timings['vip rejoin ms'] = Date.now() - back;
    expect(await nodes(4)).toEqual(new Set([h1.ip, h2.ip]));
    await stopVip(lab.dir);
    expect(existsSync(join(lab.dir, 'vip', 'vip.json'))).toBe(false);
  });
});
