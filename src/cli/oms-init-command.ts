// `omsrun oms init NAME`: a guided start. Asks what the documents' interactive tool asks, checks each answer as it
// goes (the MetaDB login and its database names, SSH to each node), and writes inventories/NAME.yml with the
// passwords vault-encrypted. Every question has an option, so scripts give the answers without a terminal.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { ConfigError, OmsrunError } from '../core/errors.js';
import { metadbDatabases } from '../modules/mysql-query.js';
import { normaliseCmUrl, multiNodeCmUrlProblem } from '../oms/cm-url.js';
import { parseHost, parseIntIn, parseIpList, parseWord, type Problem } from '../oms/fields.js';
import { answerProblems, databasesOf, renderInventory, type InitAnswers } from '../oms/init-inventory.js';
import { TSDB_SERVICES } from '../oms/schema.js';
import { encryptText, resolveVaultPassword, shownPath, vaultPasswordSource, writeFileAtomic } from '../vault/index.js';
import { connectionFactory } from './connection-factory.js';
import { Questions, type QuestionStreams } from './terminal-questions.js';

/** Streams the command uses (tests pass their own). */
export interface OmsInitIo {
  /** Where questions are asked. @defaultValue process.stdin / process.stderr */
  terminal?: QuestionStreams;
  /** Whether a missing answer is asked for (else it is an error naming the option). @defaultValue stdin is a terminal */
  interactive?: boolean;
  /** Where results go. @defaultValue process.stdout */
  stdout?: NodeJS.WritableStream;
}

interface Options {
  metaHost?: string;
  metaPort?: string;
  metaUser?: string;
  metaPasswordFile?: string;
  dbPrefix?: string;
  cmUrl?: string;
  nodes?: string;
  sshUser?: string;
  sshKey?: string;
  cmLocation?: string;
  cmRegion?: string;
  tsdbService?: string;
  tsdbUrl?: string;
  tsdbUser?: string;
  tsdbPasswordFile?: string;
  /** false with --no-tsdb. */
  tsdb: boolean;
  httpsCrt?: string;
  httpsKey?: string;
  mountRoot?: string;
  image?: string;
  imageArchive?: string;
  output?: string;
  force?: boolean;
  check: boolean;
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  vaultPasswordFile?: string;
  vaultId: string[];
}

/** A value, or what was expected instead. */
type Parsed<T> = { value: T } | { error: string };
type Parse<T> = (text: string) => Parsed<T>;

/** One question: the option that answers it, the prompt, what an empty answer means, and the rule. */
interface Question<T> {
  option: string;
  prompt: string;
  fallback?: string;
  parse: Parse<T>;
}

const must = <T>(expected: string, parse: (v: unknown) => T | undefined): Parse<T> => (text) => {
  const value = parse(text);
  return value === undefined ? { error: `expected ${expected}, got ${JSON.stringify(text)}` } : { value };
};
const optional = <T>(parse: Parse<T>): Parse<T | undefined> => (text) => (text === '' ? { value: undefined } : parse(text));
const controllerFile = (what: string): Parse<string> => (text) => {
  if (text === '') return { error: `expected the path of ${what} on this machine` };
  return existsSync(text) ? { value: path.resolve(text) } : { error: `${text} is not on this machine; expected the path of ${what}` };
};
const asNumber = (v: unknown) => (/^\d+$/.test(String(v)) ? Number(v) : v);

const Q = {
  metaHost: { option: '--meta-host', prompt: 'MetaDB host (IP address or domain name)', parse: must('an IP address or host name', parseHost) },
  metaPort: { option: '--meta-port', prompt: 'MetaDB port', fallback: '3306', parse: must('a port number from 1 to 65535', (v) => parseIntIn(1, 65535)(asNumber(v))) },
  metaUser: { option: '--meta-user', prompt: 'MetaDB user (user@tenant for an OceanBase MySQL tenant)', parse: must('a user name without spaces', parseWord) },
  dbPrefix: {
    option: '--db-prefix', prompt: 'Prefix of the three database names (PREFIX_rm, PREFIX_cm, PREFIX_cm_hb)', fallback: 'oms',
    parse: must('letters, digits and _ (at most 58)', (v) => (/^[A-Za-z0-9_]{1,58}$/.test(String(v)) ? String(v) : undefined)),
  },
  cmUrl: {
    option: '--cm-url', prompt: 'VIP or domain name in front of every node, for cm_url (http:// and :8088 optional)',
    parse: (text: string): Parsed<string> => {
      const cm = normaliseCmUrl({ cm_url: text });
      if (!cm) return { error: 'expected the VIP or a domain name' };
      return 'path' in cm ? { error: cm.message } : { value: text };
    },
  },
  nodes: { option: '--nodes', prompt: 'IP addresses of every OMS node in the region, separated by commas', parse: must('IP addresses separated by commas', (v) => parseIpList(String(v).split(/[\s,]+/).filter(Boolean))) },
  sshUser: { option: '--ssh-user', prompt: 'SSH user on the nodes', fallback: 'root', parse: must('a user name without spaces', parseWord) },
  sshKey: { option: '--ssh-key', prompt: 'SSH private key on this machine (empty: ssh-agent and ~/.ssh)', fallback: '', parse: optional(controllerFile('an SSH private key')) },
  cmLocation: { option: '--cm-location', prompt: 'Region ID, cm_location (an integer from 0 to 127, one per region)', fallback: '0', parse: must('an integer from 0 to 127', (v) => parseIntIn(0, 127)(asNumber(v))) },
  cmRegion: { option: '--cm-region', prompt: 'Region name, cm_region (optional, e.g. cn-hangzhou)', fallback: '', parse: optional(must('a region name without spaces', parseWord)) },
  tsdbService: { option: '--tsdb-service', prompt: `Time-series database type (${TSDB_SERVICES.join(' or ')})`, fallback: 'INFLUXDB', parse: must(`one of ${TSDB_SERVICES.join(', ')}`, (v) => TSDB_SERVICES.find((s) => s === String(v).toUpperCase())) },
  tsdbUrl: { option: '--tsdb-url', prompt: 'Time-series database address (host:port)', parse: must('host:port', parseWord) },
  tsdbUser: { option: '--tsdb-user', prompt: 'Time-series database user', parse: must('a user name without spaces', parseWord) },
  httpsCrt: { option: '--https-crt', prompt: 'HTTPS certificate on this machine', parse: controllerFile('the certificate') },
  httpsKey: { option: '--https-key', prompt: 'HTTPS private key on this machine', parse: controllerFile('the private key') },
  mountRoot: { option: '--mount-root', prompt: 'Folder on the nodes for config.yaml and the logs, store and run folders', fallback: '/data/oms', parse: must('an absolute path', (v) => (/^\/[^\0]*$/.test(String(v)) ? String(v).replace(/(.)\/+$/, '$1') : undefined)) },
  image: { option: '--image', prompt: 'OMS image to run (REPOSITORY:TAG, as `docker load` prints it)', parse: must('REPOSITORY:TAG without spaces', parseWord) },
  imageArchive: { option: '--image-archive', prompt: 'OMS package on this machine to load on the nodes (.tar.gz; empty: the nodes have the image)', fallback: '', parse: optional(controllerFile('the OMS package')) },
} satisfies Record<string, Question<unknown>>;

type Key = keyof typeof Q;
type AnswerOf<K extends Key> = Extract<ReturnType<(typeof Q)[K]['parse']>, { value: unknown }>['value'];

// Answers from options first; a missing one is asked on the terminal, or is an error naming the option.
class Asker {
  readonly missing: string[] = [];
  constructor(private readonly o: Options, private readonly questions: Questions | undefined, private readonly out: NodeJS.WritableStream) {}

  async get<K extends Key>(key: K, again = false): Promise<AnswerOf<K>> {
    const q = Q[key] as Question<unknown>;
    const given = again ? undefined : (this.o[key as keyof Options] as string | undefined);
    if (given !== undefined) {
      const r = q.parse(given);
      if ('error' in r) throw new ConfigError(`${q.option}: ${r.error}`);
      return r.value as AnswerOf<K>;
    }
    if (!this.questions) {
      // Without a terminal an option left out takes the value a question would offer.
      const r = q.fallback === undefined ? undefined : q.parse(q.fallback);
      if (r && !('error' in r)) return r.value as AnswerOf<K>;
      this.missing.push(q.option);
      return undefined as AnswerOf<K>;
    }
    for (;;) {
      const r = q.parse(await this.questions.ask(q.prompt, q.fallback));
      if (!('error' in r)) return r.value as AnswerOf<K>;
      this.out.write(`  ${r.error}\n`);
    }
  }

  async secret(option: string, prompt: string, file: string | undefined): Promise<string> {
    if (file !== undefined) {
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        throw new ConfigError(`${option}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (!this.questions) {
      this.missing.push(option);
      return '';
    }
    for (;;) {
      const v = await this.questions.askHidden(prompt);
      if (v !== '') return v;
      this.out.write('  expected a password, got an empty answer\n');
    }
  }

  async confirm(prompt: string, given: boolean | undefined, fallback: boolean): Promise<boolean> {
    if (given !== undefined) return given;
    if (!this.questions) return fallback;
    return this.questions.confirm(prompt, fallback);
  }
}

export function registerOmsInitCommand(program: Command, io: OmsInitIo = {}): Command {
  const oms = program.commands.find((c) => c.name() === 'oms') ?? program.command('oms').description('OMS helpers beside the playbooks');
  const init = oms
    .command('init')
    .argument('<name>', 'inventory to write: inventories/NAME.yml')
    .description('guided start: asks for the MetaDB, VIP, nodes, time-series database, HTTPS, mount folder and image, checks them, and writes inventories/NAME.yml with the passwords vault-encrypted');
  for (const q of Object.values(Q) as Question<unknown>[]) init.option(`${q.option} <value>`, q.prompt);
  init
    .option('--meta-password-file <file>', 'read the MetaDB password from FILE (never on the command line)')
    .option('--tsdb-password-file <file>', 'read the time-series database password from FILE')
    .option('--no-tsdb', 'no time-series database')
    .option('-o, --output <file>', 'write here instead of inventories/NAME.yml')
    .option('--force', 'replace an existing inventory file')
    .option('--no-check', 'do not log in to the MetaDB or SSH to the nodes')
    .option('--host-key-checking <mode>', 'SSH host key policy for the node check: strict, accept-new or off', 'strict')
    .option('--vault-password-file <file>', 'encrypt the passwords with the password in FILE (else OMSRUN_VAULT_PASSWORD, else asked)')
    .option('--vault-id <id>', "Ansible's LABEL@FILE or LABEL@prompt", (v: string, p: string[]) => [...p, v], [] as string[])
    .action((name: string, o: Options) => omsInit(name, o, io));
  return program;
}

async function omsInit(name: string, o: Options, io: OmsInitIo): Promise<void> {
  const out = io.stdout ?? process.stdout;
  const terminal = io.terminal ?? { input: process.stdin, output: process.stderr };
  const interactive = io.interactive ?? process.stdin.isTTY === true;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new ConfigError(`inventory name: expected letters, digits, _ . - (a file name), got ${JSON.stringify(name)}`);
  const file = path.resolve(o.output ?? path.join('inventories', `${name}.yml`));
  if (existsSync(file) && !o.force) throw new ConfigError(`${shownPath(file)} exists; choose another name, or --force to replace it`);
  const questions = interactive ? new Questions(terminal) : undefined;
  const say = (text: string) => terminal.output.write(`${text}\n`);
  try {
    const ask = new Asker(o, questions, terminal.output);
    if (interactive) say('omsrun oms init: the answers become an inventory for playbooks/deploy.yml (Enter takes the value in brackets).\n\nMetaDB');
    const answers = {} as InitAnswers;
    const metadb = async (again: boolean) => {
      answers.metaHost = await ask.get('metaHost', again);
      answers.metaPort = await ask.get('metaPort', again);
      answers.metaUser = await ask.get('metaUser', again);
      answers.metaPassword = await ask.secret('--meta-password-file', 'MetaDB password', again ? undefined : o.metaPasswordFile);
    };
    await metadb(false);
    for (;;) {
      answers.dbPrefix = await ask.get('dbPrefix');
      if (ask.missing.length > 0 || !o.check) break;
      const r = await metadbDatabases({ host: answers.metaHost, port: answers.metaPort, user: answers.metaUser, password: answers.metaPassword, databases: databasesOf(answers.dbPrefix) });
      if (r.failed) {
        if (!questions) throw new ConfigError(`MetaDB check: ${r.msg ?? 'failed'}`, { hint: 'fix the MetaDB options, or --no-check to skip the checks' });
        say(`  ${r.msg ?? 'the MetaDB check failed'}; asking again`);
        await metadb(true);
        continue;
      }
      const existing = (r.data?.existing as string[] | undefined) ?? [];
      say(`  MetaDB ${answers.metaUser}@${answers.metaHost}:${answers.metaPort}: logged in; databases ${databasesOf(answers.dbPrefix).join(', ')}`);
      if (existing.length === 0) break;
      const text = `the databases ${existing.join(', ')} already exist in the MetaDB (a redeploy or an upgrade?)`;
      if (!questions) {
        say(`  warning: ${text}; the deploy asks for -e oms_confirm_existing_db=true before it uses them`);
        break;
      }
      if (await ask.confirm(`  ${text}. Continue with them?`, undefined, false)) break;
      o.dbPrefix = undefined;
    }
    if (interactive) say('\nCM and nodes');
    answers.cmUrl = await ask.get('cmUrl');
    answers.nodes = await ask.get('nodes');
    for (let p = vipProblem(answers); p; p = vipProblem(answers)) {
      if (!questions) throw new ConfigError(`--cm-url: ${p.message}`);
      say(`  ${p.message}; asking again`);
      answers.cmUrl = await ask.get('cmUrl', true);
    }
    answers.sshUser = await ask.get('sshUser');
    answers.sshKey = await ask.get('sshKey');
    answers.cmLocation = await ask.get('cmLocation');
    answers.cmRegion = await ask.get('cmRegion');
    const tsdbGiven = !o.tsdb ? false : o.tsdbUrl !== undefined ? true : questions ? undefined : false;
    if (await ask.confirm('Report monitoring data to a time-series database (InfluxDB)?', tsdbGiven, false)) {
      answers.tsdb = {
        service: await ask.get('tsdbService'),
        url: await ask.get('tsdbUrl'),
        user: await ask.get('tsdbUser'),
        password: await ask.secret('--tsdb-password-file', 'Time-series database password', o.tsdbPasswordFile),
      };
    }
    const httpsGiven = o.httpsCrt !== undefined || o.httpsKey !== undefined ? true : questions ? undefined : false;
    if (await ask.confirm('Serve the console over HTTPS (certificate and key on this machine)?', httpsGiven, false)) {
      answers.https = { crt: await ask.get('httpsCrt'), key: await ask.get('httpsKey') };
    }
    if (interactive) say('\nNodes');
    answers.mountRoot = await ask.get('mountRoot');
    answers.image = await ask.get('image');
    answers.imageArchive = await ask.get('imageArchive');
    if (ask.missing.length > 0) {
      throw new ConfigError(`missing answers: ${[...new Set(ask.missing)].join(', ')}`, { hint: 'give them as options, or run from a terminal to be asked' });
    }
    const problems = answerProblems(answers);
    if (problems.length > 0) throw new ConfigError(`the answers do not make a valid OMS inventory:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    if (o.check) await checkNodes(answers, o, say);
    const source = vaultPasswordSource(o.vaultPasswordFile, o.vaultId);
    const password = await resolveVaultPassword({
      passwordFile: source.passwordFile, environ: source.environ, prompt: true, confirm: true, streams: terminal, purpose: `${shownPath(file)} (its passwords are vault-encrypted)`,
    });
    const header = [
      `OMS inventory written by \`omsrun oms init ${name}\`; passwords are vault-encrypted.`,
      `Deploy: omsrun playbooks/deploy.yml -i ${shownPath(file)} --vault-password-file FILE (or OMSRUN_VAULT_PASSWORD)`,
    ].join('\n');
    const text = renderInventory(answers, (plain) => encryptText(plain, password, { label: source.label }), header);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, text, { newMode: 0o600 });
    out.write(`wrote ${shownPath(file)}: ${answers.nodes.length} node(s) ${answers.nodes.join(', ')}, cm_url ${answers.cmUrl}, databases ${databasesOf(answers.dbPrefix).join(', ')}\n`);
    out.write(`next: omsrun playbooks/deploy.yml -i ${shownPath(file)} --check\n`);
  } finally {
    questions?.close();
  }
}

// With two or more nodes, cm_url must be in front of them all: not one node's own address.
function vipProblem(a: InitAnswers): Problem | undefined {
  const cm = normaliseCmUrl({ cm_url: a.cmUrl });
  if (!cm || 'path' in cm || !a.nodes) return undefined;
  return multiNodeCmUrlProblem(cm, a.nodes.map((ip, i) => ({ name: `node ${i + 1} (${ip})`, ips: [ip] })), 'cm_url');
}

// Every node answers over SSH as the inventory will reach it; Docker is looked for (the deploy needs it).
async function checkNodes(a: InitAnswers, o: Options, say: (text: string) => void): Promise<void> {
  const connect = connectionFactory({ hostKeyPolicy: o.hostKeyChecking });
  const limit = pLimit(10);
  const results = await Promise.all(
    a.nodes.map((ip, i) =>
      limit(async () => {
        const conn = connect(`oms${i + 1}`, { ansible_host: ip, ansible_user: a.sshUser, ...(a.sshKey ? { ansible_ssh_private_key_file: a.sshKey } : {}) });
        try {
          await conn.connect();
          const r = await conn.exec(['sh', '-c', 'docker version --format "{{.Server.Version}}" 2>/dev/null || echo none'], { timeoutMs: 20_000 });
          const docker = r.stdout.trim();
          return { ip, ok: true, text: docker === 'none' || docker === '' ? 'SSH ok; no Docker engine answers (the deploy needs one)' : `SSH ok; Docker ${docker}` };
        } catch (err) {
          if (!(err instanceof OmsrunError)) throw err;
          return { ip, ok: false, text: err.message };
        } finally {
          await conn.close().catch(() => undefined);
        }
      }),
    ),
  );
  for (const r of results) say(`  ${r.ip}: ${r.text}`);
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) {
    throw new ConfigError(`cannot reach ${bad.map((r) => r.ip).join(', ')} over SSH as ${a.sshUser}`, { hint: 'fix the node IPs, --ssh-user or --ssh-key (or --host-key-checking accept-new for new hosts), or --no-check to write the inventory anyway' });
  }
}
