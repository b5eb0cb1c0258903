// Lazy facts: a variable layer whose fact names gather the host's facts (one command) the first time one is read.
import { ConfigError, OmsrunError } from '../core/errors.js';
import type { Vars } from '../inventory/model.js';
import { gatherFacts } from '../facts/gather.js';
import { FACT_VARIABLES, FACTS_VAR, factValue } from '../facts/names.js';
import type { Facts } from '../facts/parse.js';
import type { RunState } from './context.js';
import type { HostState } from './host-state.js';

/**
 * Thrown by a fact variable read before the host's facts are gathered; templates are rendered synchronously, so the
 * task runner catches it (also as the cause of a template error), gathers, and evaluates the task again.
 */
export class FactsNeeded extends Error {
  override readonly name = 'FactsNeeded';
  constructor(readonly host: string) {
    super(`facts of ${host} are needed`);
  }
}

// The FactsNeeded behind an error, however many template errors wrap it.
export function neededFacts(err: unknown): FactsNeeded | undefined {
  for (let e = err, depth = 0; e && depth < 20; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof FactsNeeded) return e;
  }
  return undefined;
}

// The gathered-facts layer of `name`'s variables in a play: getters that read the run's cache or ask for a gathering.
// A play with gather_facts: false gets none until the host's facts exist (only what modules returned as ansible_facts), so a fact read there is an undefined
// variable (whose hint says why), and such plays pay nothing for facts.
export function factsLayer(run: RunState, name: string, gatherFacts: boolean | undefined): Vars | undefined {
  const h = run.hosts.get(name);
  if (gatherFacts === false && !h?.gathered) return h && Object.keys(h.moduleFacts).length > 0 ? { [FACTS_VAR]: { ...h.moduleFacts } } : undefined;
  if (h) return (h.factsLayer ??= gettersOf(run, name));
  return gettersOf(run, name);
}

function gettersOf(run: RunState, name: string): Vars {
  const layer: Vars = {};
  for (const variable of FACT_VARIABLES) {
    Object.defineProperty(layer, variable, {
      enumerable: true,
      configurable: true,
      get: () => {
        const facts = cachedFacts(run, name, variable);
        return variable === FACTS_VAR ? { ...facts, ...run.hosts.get(name)?.moduleFacts } : factValue(facts, variable);
      },
    });
  }
  return layer;
}

function cachedFacts(run: RunState, name: string, variable: string): Facts {
  const h = run.hosts.get(name);
  if (h?.gathered) return h.gathered;
  if (!h?.conn) {
    throw new ConfigError(`${variable} is a fact of ${name}, which is not connected in this run`, {
      hint: `facts are gathered only from hosts the run connects to: add ${name} to a play's hosts (and to --limit), or set the value in the inventory`,
    });
  }
  throw new FactsNeeded(name);
}

// Gathers once per host per run; concurrent askers share the command. `fresh` gathers again (the setup module).
export function ensureFacts(run: RunState, h: HostState, fresh = false): Promise<Facts> {
  if (fresh) h.gathering = undefined;
  h.gathering ??= gather(run, h).catch((err: unknown) => {
    h.gathering = undefined;
    throw err;
  });
  return h.gathering;
}

// A module's ansible_facts (package_facts' packages) join the host's facts, now and after any later gathering, and
// are variables of their own (`getent_passwd`), as Ansible injects them.
export function addModuleFacts(h: HostState, facts: Facts): void {
  Object.assign(h.moduleFacts, facts);
  Object.assign(h.facts, facts);
  if (h.gathered) Object.assign(h.gathered, facts);
}

async function gather(run: RunState, h: HostState): Promise<Facts> {
  if (!h.conn) throw new OmsrunError(`${h.name} is not connected: its facts cannot be gathered`);
  const started = Date.now();
  const facts = await gatherFacts(h.conn, run.opts.signal);
  // The host's environment may hold secrets (DB_PASSWORD=...): masked like secret-named variables wherever shown.
  run.opts.redactor.addFromVars(facts.env);
  h.gathered = { ...facts, ...h.moduleFacts };
  run.emit({ kind: 'verbose', level: 1, host: h.name, msg: `facts gathered in ${Date.now() - started} ms` });
  return facts;
}
