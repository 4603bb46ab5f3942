// skiff network create|ls|inspect|rm|connect|disconnect|prune, and the
// hidden dns-server a user network runs while it has containers.
import { closeSync, writeSync } from 'node:fs';
import { describe, SkiffError } from '../../errors.js';
import { serveDns } from '../../network/dns.js';
import { NetworkStore, type Network } from '../../network/store.js';
import { tabulate } from '../../util/table.js';
import { renderTemplate } from '../../util/template.js';
import { containerStore, type EngineGlobals } from '../context.js';
import { engine, refresh } from '../lifecycle.js';
import { connectLive, networkConfigOf, releaseNetworking } from '../networking.js';

// docker network ls shows these three even when unused; skiff's "bridge" is made on first use.
const BUILTIN = ['bridge', 'host', 'none'];

export function networkView(n: Network) {
  return {
    Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: n.Driver, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.Subnet, Gateway: n.Gateway }] },
    Internal: false, Attachable: false, Ingress: false,
    Containers: Object.fromEntries(Object.values(n.Endpoints).map((e) => [e.ContainerId, {
      Name: e.Name, MacAddress: e.MacAddress, IPv4Address: `${e.IPAddress}/${n.Subnet.split('/')[1]}`, IPv6Address: '',
    }])),
    Options: { 'com.docker.network.bridge.name': n.Bridge }, Labels: n.Labels,
  };
}

export async function networkCreateCommand(g: EngineGlobals, name: string, f: { driver?: string; subnet?: string; gateway?: string; label: string[] }): Promise<void> {
  if (f.driver && f.driver !== 'bridge') throw new SkiffError(`plugin "${f.driver}" not found: skiff has the bridge driver`, 'not-found');
  if (BUILTIN.includes(name)) throw new SkiffError(`network with name ${name} already exists (a predefined network)`, 'forbidden');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new SkiffError(`invalid network name ${JSON.stringify(name)}: use [a-zA-Z0-9][a-zA-Z0-9_.-]`, 'invalid');
  if (f.gateway && !f.subnet) throw new SkiffError('--gateway needs --subnet');
  const store = new NetworkStore(g.root);
  const lock = await store.lock();
  try {
    const labels = Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
    const n = await store.create({ name, subnet: f.subnet, gateway: f.gateway, labels });
    process.stdout.write(n.Id + '\n');
  } finally {
    lock.release();
  }
}

export function networkLsCommand(g: EngineGlobals, f: { quiet?: boolean; noTrunc?: boolean; filter: string[]; format?: string }): void {
  const store = new NetworkStore(g.root);
  const stored = store.all();
  const rows = [
    ...BUILTIN.filter((b) => !stored.some((n) => n.Name === b)).map((b) => ({ ID: b === 'bridge' ? '(unused)' : b, Name: b, Driver: b === 'bridge' ? 'bridge' : b === 'host' ? 'host' : 'null', Scope: 'local' })),
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
  if (f.format) { process.stdout.write(list.map((r) => renderTemplate(f.format!, r) + '\n').join('')); return; }
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

/** Containers that name the network in their config (running or not). */
function users(g: EngineGlobals, n: Network): string[] {
  return containerStore(g).all().filter((c) => {
    const cfg = networkConfigOf(c);
    return cfg.NetworkMode === n.Name || n.Name in cfg.Networks || !!n.Endpoints[c.Id];
  }).map((c) => c.Name.slice(1));
}

export async function networkRmCommand(g: EngineGlobals, names: string[]): Promise<number> {
  const store = new NetworkStore(g.root);
  let status = 0;
  for (const name of names) {
    try {
      if (BUILTIN.includes(name)) throw new SkiffError(`${name} is a pre-defined network and cannot be removed`);
      const n = store.get(name);
      const using = users(g, n);
      if (using.length) throw new SkiffError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints (${using.join(', ')})`);
      const lock = await store.lock();
      try { store.delete(n); } finally { lock.release(); }
      process.stdout.write(name + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}

export async function networkPruneCommand(g: EngineGlobals, f: { force?: boolean }): Promise<void> {
  if (!f.force) throw new SkiffError('network prune needs -f (--force) to delete without asking');
  const store = new NetworkStore(g.root);
  const removed: string[] = [];
  for (const n of store.all()) {
    if (n.Default || users(g, n).length) continue;
    const lock = await store.lock();
    try { store.delete(n); } finally { lock.release(); }
    removed.push(n.Name);
  }
  if (removed.length) process.stdout.write(`Deleted Networks:\n${removed.map((r) => r + '\n').join('')}`);
}

/** network connect [--alias] NET CONTAINER: live for a running container (a new interface), else at its next start. */
export async function networkConnectCommand(g: EngineGlobals, net: string, container: string, f: { alias: string[] }): Promise<void> {
  const e = engine(g);
  const n = new NetworkStore(g.root).get(net);
  if (n.Default) throw new SkiffError('containers join the default bridge network with --network bridge at create');
  const c = (await refresh(e, e.containers.find(container).Id))!;
  const lock = await e.containers.lockContainer(c.Id);
  try {
    const fresh = e.containers.get(c.Id)!;
    const cfg = networkConfigOf(fresh);
    if (['none', 'host'].includes(cfg.NetworkMode) || cfg.NetworkMode.startsWith('container:'))
      throw new SkiffError(`container cannot be connected to networks: its network mode is ${cfg.NetworkMode}`);
    if (cfg.NetworkMode === n.Name || n.Name in cfg.Networks) throw new SkiffError(`endpoint with name ${fresh.Name.slice(1)} already exists in network ${n.Name}`, 'conflict');
    if (fresh.State.Status === 'running') {
      const settings = await connectLive(g.root, fresh, n.Name, f.alias);
      fresh.NetworkSettings ??= { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', MacAddress: '' };
      fresh.NetworkSettings.Networks[n.Name] = settings;
    }
    cfg.Networks[n.Name] = { Aliases: f.alias };
    fresh.Network = cfg;
    e.containers.save(fresh);
  } finally {
    lock.release();
  }
}

/** network disconnect NET CONTAINER: its interface on that network goes (live, if running). */
export async function networkDisconnectCommand(g: EngineGlobals, net: string, container: string): Promise<void> {
  const e = engine(g);
  const n = new NetworkStore(g.root).get(net);
  const c = (await refresh(e, e.containers.find(container).Id))!;
  const lock = await e.containers.lockContainer(c.Id);
  try {
    const fresh = e.containers.get(c.Id)!;
    const cfg = networkConfigOf(fresh);
    if (!(n.Name in cfg.Networks) && cfg.NetworkMode !== n.Name && !(n.Default && cfg.NetworkMode === 'bridge'))
      throw new SkiffError(`container ${fresh.Name.slice(1)} is not connected to network ${n.Name}`);
    delete cfg.Networks[n.Name];
    if (cfg.NetworkMode === n.Name || (n.Default && cfg.NetworkMode === 'bridge')) cfg.NetworkMode = Object.keys(cfg.Networks)[0] ?? 'none';
    fresh.Network = cfg;
    if (fresh.NetworkSettings) delete fresh.NetworkSettings.Networks[n.Name];
    await releaseNetworking(g.root, fresh.Id, n.Name);
    e.containers.save(fresh);
  } finally {
    lock.release();
  }
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
