// The bare floor: plain ssh2, one connection per host, every host at once, each command sent blind in turn.
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

/** One command of the floor: a shell line and the bytes it reads on stdin. */
export interface FloorCommand {
  cmd: string;
  stdin?: string;
}

/** What floor.ts reads from the JSON file named on its command line. */
export interface FloorPlan {
  keyFile: string;
  knownHosts: string;
  hosts: { ip: string; commands: FloorCommand[] }[];
}

function exec(c: Client, fc: FloorCommand): Promise<number> {
  return new Promise((resolve, reject) => {
    c.exec(fc.cmd, (err, ch) => {
      if (err) return reject(err);
      ch.on('data', () => undefined);
      ch.stderr.on('data', () => undefined);
      ch.on('close', (code: number | null) => resolve(code ?? -1));
      ch.end(fc.stdin ?? '');
    });
  });
}

function connect(ip: string, key: Buffer, hostKey: string | undefined): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => resolve(c)).on('error', reject);
    c.connect({
      host: ip, port: 22, username: 'root', privateKey: key, readyTimeout: 30_000,
      algorithms: { kex: ['curve25519-sha256'] },
      hostVerifier: (k: Buffer) => hostKey !== undefined && k.toString('base64') === hostKey,
    });
    c.setNoDelay(true);
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FloorPlan;
  const key = readFileSync(plan.keyFile);
  const known = new Map(readFileSync(plan.knownHosts, 'utf8').trim().split('\n').map((l) => {
    const [ip, , b64] = l.split(' ');
    return [ip!, b64!] as const;
  }));
  let failed = 0;
  await Promise.all(plan.hosts.map(async (h) => {
    const c = await connect(h.ip, key, known.get(h.ip));
    for (const fc of h.commands) if ((await exec(c, fc)) !== 0) failed++;
    c.end();
  }));
  process.stdout.write(`floor: ${plan.hosts.length} hosts, ${failed} failed commands\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
