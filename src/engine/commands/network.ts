// skiff network create|ls|inspect|rm|connect|disconnect|prune, and the
// hidden dns-server a user network runs while it has containers.
import { confirmOrForce } from '../../util/prompt.js';
import { PRUNE_WARNINGS, networksPruneText } from './pruneText.js';
import { networkView } from '../views.js';
import { createHash } from 'node:crypto';
import { closeSync, writeSync } from 'node:fs';
import { describe, SkiffError } from '../../errors.js';
import { serveDns } from '../../network/dns.js';
import { NetworkStore } from '../../network/store.js';
import { tabulate } from '../../util/table.js';
import { formatList, renderTemplate } from '../../util/template.js';
import type { EngineGlobals } from '../context.js';
import { BUILTIN_NETWORKS as BUILTIN } from '../core/networks/users.js';
import { filterFlags, pruneMatcher } from '../core/pruneFilter.js';
import { cliEngine } from './engine.js';


export async function networkCreateCommand(g: EngineGlobals, name: string, f: { driver?: string; subnet?: string; gateway?: string; label: string[] }): Promise<void> {
  const labels = Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
  const { Id } = await cliEngine(g).networkCreate({ Name: name, Driver: f.driver, Labels: labels, IPAM: { Config: [{ Subnet: f.subnet, Gateway: f.gateway }] } });
  process.stdout.write(Id + '\n');
}

/** host and none have no record: a stable 64-hex ID each, as docker's networks have. */
function builtinId(name: string, full?: boolean): string {
  const id = createHash('sha256').update(`skiff builtin network ${name}`).digest('hex');
  return full ? id : id.slice(0, 12);
}

// docker/cli formatter/network.go column names.
const NETWORK_HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };

export function networkLsCommand(g: EngineGlobals, f: { quiet?: boolean; noTrunc?: boolean; filter: string[]; format?: string }): void {
  const store = new NetworkStore(g.root);
  const stored = store.all();
  const rows = [
    ...BUILTIN.filter((b) => !stored.some((n) => n.Name === b)).map((b) => ({ ID: b === 'bridge' ? '(unused)' : builtinId(b, f.noTrunc), Name: b, Driver: b === 'bridge' ? 'bridge' : b === 'host' ? 'host' : 'null', Scope: 'local' })),
    ...stored.map((n) => ({ ID: f.noTrunc ? n.Id : n.Id.slice(0, 12), Name: n.Name, Driver: n.Driver, Scope: 'local' })),
  ].sort((a, b) => a.Name.localeCompare(b.Name));
  let list = rows;
  for (const filter of f.filter) {
    const [k, v] = filter.split('=');
    if (k === 'name') list = list.filter((r) => r.Name.includes(v));
    else if (k === 'driver') list = list.filter((r) => r.Driver === v);
    else throw new SkiffError(`invalid filter "${k}": supported are name, driver`, 'invalid');
  }
  if (f.quiet) { process.stdout.write(list.filter((r) => !r.ID.startsWith('(')).map((r) => r.ID + '\n').join('')); return; }
  if (f.format) { process.stdout.write(formatList(f.format, list, NETWORK_HEADERS, 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}')); return; }
  process.stdout.write(tabulate([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...list.map((r) => [r.ID, r.Name, r.Driver, r.Scope])], 10, 3));
}

export function networkInspectCommand(g: EngineGlobals, names: string[], f: { format?: string }): number {
  const store = new NetworkStore(g.root);
  const found: unknown[] = [];
  let status = 0;
  for (const name of names) {
    const n = store.find(name);
    if (n) found.push(networkView(n));
    else { process.stderr.write(`Error response from daemon: network ${name} not found\n`); status = 1; }
  }
  if (f.format) process.stdout.write(found.map((v) => renderTemplate(f.format!, v) + '\n').join(''));
  else process.stdout.write(JSON.stringify(found, null, 4) + '\n');
  return status;
}


export async function networkRmCommand(g: EngineGlobals, names: string[]): Promise<number> {
  const core = cliEngine(g);
  let status = 0;
  for (const name of names) {
    try {
      await core.networkRemove(name);
      process.stdout.write(name + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}

export async function networkPruneCommand(g: EngineGlobals, f: { force?: boolean; filter?: string[] }): Promise<void> {
  const filters = filterFlags(f.filter);
  pruneMatcher(filters); // a bad filter fails before the question
  if (!(await confirmOrForce({ force: f.force, command: 'network prune', warning: PRUNE_WARNINGS.networks }))) return;
  process.stdout.write(networksPruneText(await cliEngine(g).networkPrune({ filters })));
}

/** network connect [--alias] NET CONTAINER: live for a running container (a new interface), else at its next start. */
export function networkConnectCommand(g: EngineGlobals, net: string, container: string, f: { alias: string[] }): Promise<void> {
  return cliEngine(g).networkConnect(net, { Container: container, EndpointConfig: { Aliases: f.alias } });
}

/** network disconnect NET CONTAINER: its interface on that network goes (live, if running). */
export function networkDisconnectCommand(g: EngineGlobals, net: string, container: string): Promise<void> {
  return cliEngine(g).networkDisconnect(net, container);
}

/** The hidden `network dns-server ID`; its starter (networking.ts startDns) reads "ready" on our fd 3. */
export async function dnsServerCommand(g: EngineGlobals, id: string): Promise<void> {
  await serveDns(g.root, id, () => {
    try {
      writeSync(3, 'ready\n');
      closeSync(3);
    } catch { /* started by hand, without the pipe */ }
  });
}
