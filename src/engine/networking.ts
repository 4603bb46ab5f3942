// A container's networking, from the flags to the kernel: --network
// (bridge, none, host, container:<x>, a user network), -p/-P, --link and
// network aliases. At start, under the networks lock, each network gets an
// endpoint (an address from IPAM, published ports checked and chosen);
// after runtime create, the veth pairs are plugged into the init's network
// namespace and skiff's nftables table is rewritten; at finish all of it is
// undone, idempotently. The kernel work is in src/network/.
import { createServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skiffProgram } from '../native.js';
import { SkiffError } from '../errors.js';
import { trace } from '../util/trace.js';
import { lastLineSince, openAppendLog } from '../util/files.js';
import { isAlive, procStat } from '../runtime/processes.js';
import { parseIp } from '../network/ipv4.js';
import { ensureBridge, linkExists, loopbackUp, plugEndpoint, removeLink } from '../network/links.js';
import { applyRuleset } from '../network/nft.js';
import { DEFAULT_NETWORK, macFor, NetworkStore, type Endpoint, type Network, type PortMap } from '../network/store.js';
import type { ContainerRecord, NetworkConfig, NetworkSettings } from './containers.js';
import { readDaemonConfig } from './daemonConfig.js';

// The record's network types live with the record (containers.ts).
export type { NetworkConfig, NetworkSettings } from './containers.js';

export const EMPTY_NETWORK_CONFIG: NetworkConfig = { NetworkMode: DEFAULT_NETWORK, PortBindings: {}, PublishAllPorts: false, Links: [], Networks: {} };

export function networkConfigOf(c: ContainerRecord): NetworkConfig {
  return { ...EMPTY_NETWORK_CONFIG, ...(c.Network ?? {}) };
}

/** -p [ip:][hostPort:]ctrPort[/proto] -> "80/tcp" and its binding; host port 0 or none: a random one. */
export function parsePublish(spec: string): [string, { HostIp: string; HostPort: string }] {
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d*):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(spec);
  if (!m) {
    if (/-/.test(spec)) throw new SkiffError(`invalid publish ${JSON.stringify(spec)}: port ranges are not supported`, 'invalid');
    throw new SkiffError(`invalid publish ${JSON.stringify(spec)}: use [ip:][hostPort:]containerPort[/tcp|udp|sctp]`, 'invalid');
  }
  const [, ip = '', host = '', ctr, proto = 'tcp'] = m;
  if (ip) parseIp(ip);
  if (Number(ctr) < 1 || Number(ctr) > 65535) throw new SkiffError(`invalid port ${ctr} in ${JSON.stringify(spec)}: 1-65535`, 'invalid');
  if (Number(host) > 65535) throw new SkiffError(`invalid port ${host} in ${JSON.stringify(spec)}: 0-65535`, 'invalid');
  return [`${ctr}/${proto}`, { HostIp: ip, HostPort: host }];
}

export function portBindingsFrom(specs: string[]): PortMap {
  const map: PortMap = {};
  for (const s of specs) {
    const [port, binding] = parsePublish(s);
    (map[port] ??= []).push(binding);
  }
  return map;
}

/** The networks a container joins, primary first; none for none/host/container:x. */
export function joinedNetworks(cfg: NetworkConfig): { name: string; aliases: string[] }[] {
  const mode = cfg.NetworkMode;
  if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return [];
  const primary = mode === 'default' ? DEFAULT_NETWORK : mode;
  return [{ name: primary, aliases: cfg.Networks[primary]?.Aliases ?? [] },
    ...Object.entries(cfg.Networks).filter(([n]) => n !== primary).map(([name, v]) => ({ name, aliases: v.Aliases }))];
}

const bindErrorText = (err: NodeJS.ErrnoException) =>
  (err.code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : err.code === 'EADDRINUSE' ? 'address already in use' : `bind: ${err.code ?? err.message}`);

/**
 * Why the host port cannot be bound, as errno's text (bind(2)): "address
 * already in use", or "cannot assign requested address" for an address
 * that is not the host's; undefined when it can. Node has no SCTP sockets:
 * those are checked against skiff's own bindings only.
 */
async function bindProblem(port: number, ip: string, proto: string): Promise<string | undefined> {
  const host = ip || '0.0.0.0';
  if (proto === 'sctp') return undefined;
  if (proto === 'udp') {
    return new Promise((ok) => {
      const s = createSocket('udp4');
      s.once('error', (err) => { s.close(); ok(bindErrorText(err)); });
      s.bind(port, host, () => s.close(() => ok(undefined)));
    });
  }
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', (err) => ok(bindErrorText(err)));
    s.listen(port, host, () => s.close(() => ok(undefined)));
  });
}

async function freePort(ip: string, proto: string, taken: Set<string>): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const s = createServer();
    const port = await new Promise<number>((ok, no) => { s.once('error', (err) => no(new SkiffError(`Bind for ${ip || '0.0.0.0'}:0 failed: ${bindErrorText(err)}`))); s.listen(0, ip || '0.0.0.0', () => { const p = (s.address() as AddressInfo).port; s.close(() => ok(p)); }); });
    if (!taken.has(`${proto}:${port}`) && (proto === 'tcp' || !(await bindProblem(port, ip, proto)))) return String(port);
  }
  throw new SkiffError('no free host port found for a published port');
}

export interface PlannedNetworking {
  /** Endpoints reserved in the store, to plug after runtime create. */
  endpoints: { network: Network; endpoint: Endpoint; ifname: string }[];
  hosts: string;
  resolvConf: string;
  /** Path of a network namespace to join (container:<x>), or 'host'. */
  namespace?: string;
  /** --link's environment variables (linkEnv). */
  linkEnv?: string[];
}

/**
 * The variables docker sets for `--link target:alias` (moby
 * daemon/links/links.go, docs "Legacy container links"): ALIAS_PORT (the
 * first port, TCP first, then by number), ALIAS_PORT_<n>_<PROTO>[_ADDR,
 * _PORT, _PROTO] for each exposed port, _START/_END for runs of consecutive
 * ports, ALIAS_NAME=/<container>/<alias>, and ALIAS_ENV_<name> for the
 * target's environment but HOME and PATH.
 */
export function linkEnv(containerName: string, alias: string, target: { ip: string; exposed: string[]; env: string[] }): string[] {
  const A = alias.toUpperCase().replace(/-/g, '_');
  const ports = target.exposed.map((p) => { const [num, proto = 'tcp'] = p.split('/'); return { num: Number(num), proto }; })
    .sort((a, b) => (a.proto === b.proto ? a.num - b.num : a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto < b.proto ? -1 : 1));
  const out: string[] = [];
  const url = (p: { num: number; proto: string }) => `${p.proto}://${target.ip}:${p.num}`;
  let start = ports[0];
  let end = ports[0];
  ports.forEach((p, i) => {
    if (i === 0) out.push(`${A}_PORT=${url(p)}`);
    const prefix = `${A}_PORT_${p.num}_${p.proto.toUpperCase()}`;
    out.push(`${prefix}=${url(p)}`, `${prefix}_ADDR=${target.ip}`, `${prefix}_PORT=${p.num}`, `${prefix}_PROTO=${p.proto}`);
    if (p.num === end.num + 1 && p.proto === end.proto) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (end !== start) {
      const range = `${A}_PORT_${start.num}_${start.proto.toUpperCase()}`;
      out.push(`${range}_START=${url(start)}`, `${range}_PORT_START=${start.num}`, `${range}_END=${url(end)}`, `${range}_PORT_END=${end.num}`);
    }
    start = end = p;
  });
  out.push(`${A}_NAME=/${containerName}/${alias}`);
  for (const kv of target.env) {
    const i = kv.indexOf('=');
    if (i < 0 || ['HOME', 'PATH'].includes(kv.slice(0, i))) continue;
    out.push(`${A}_ENV_${kv}`);
  }
  return out;
}

function hostResolvConf(): string {
  try { return readFileSync('/etc/resolv.conf', 'utf8'); } catch { return ''; }
}

/**
 * Reserves what the container's networking needs and returns it: addresses
 * and ports in the store, and the /etc/hosts and resolv.conf to write.
 */
export async function planNetworking(root: string, c: ContainerRecord, peers: (ref: string) => ContainerRecord, note: (s: string) => void): Promise<PlannedNetworking> {
  const cfg = networkConfigOf(c);
  const hostname = c.Config.Hostname;
  const baseHosts = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  if (cfg.NetworkMode === 'host') {
    return { endpoints: [], hosts: readFileSync('/etc/hosts', 'utf8'), resolvConf: hostResolvConf(), namespace: 'host' };
  }
  if (cfg.NetworkMode.startsWith('container:')) {
    const other = peers(cfg.NetworkMode.slice('container:'.length));
    if (other.State.Status !== 'running' || !other.State.Pid) throw new SkiffError(`cannot join network of a non running container: ${other.Name.slice(1)}`, 'conflict');
    return { endpoints: [], hosts: `${baseHosts}127.0.1.1\t${hostname}\n`, resolvConf: hostResolvConf(), namespace: `/proc/${other.State.Pid}/ns/net` };
  }
  const wanted = joinedNetworks(cfg);
  if (!wanted.length) return { endpoints: [], hosts: `${baseHosts}127.0.1.1\t${hostname}\n`, resolvConf: hostResolvConf() };

  // Links (default network only): the linked containers must be running.
  const linkLines: string[] = [];
  const linkVars: string[] = [];
  for (const link of cfg.Links) {
    const [name, alias = name] = link.split(':');
    const target = peers(name);
    const ip = target.NetworkSettings?.Networks[DEFAULT_NETWORK]?.IPAddress;
    if (target.State.Status !== 'running' || !ip) throw new SkiffError(`Cannot link to a non running container: ${target.Name} AS ${c.Name}/${alias}`, 'conflict');
    linkLines.push(`${ip}\t${alias} ${target.Id.slice(0, 12)} ${target.Name.slice(1)}`);
    linkVars.push(...linkEnv(c.Name.slice(1), alias, { ip, exposed: Object.keys(target.Config.ExposedPorts ?? {}), env: target.Config.Env }));
  }

  const { bip } = readDaemonConfig(root);
  const store = new NetworkStore(root);
  const lock = await store.lock();
  const endpoints: PlannedNetworking['endpoints'] = [];
  try {
    const all = store.all();
    const takenPorts = new Set(all.flatMap((n) => Object.values(n.Endpoints).flatMap((e) => Object.entries(e.Ports).flatMap(([p, bs]) => bs.map((b) => `${p.split('/')[1]}:${b.HostPort}`)))));
    // -P: every exposed port gets a random host port.
    const requested: PortMap = JSON.parse(JSON.stringify(cfg.PortBindings));
    if (cfg.PublishAllPorts) for (const p of Object.keys(c.Config.ExposedPorts ?? {})) requested[p] ??= [{ HostIp: '', HostPort: '' }];
    const ports: PortMap = {};
    for (const [port, bindings] of Object.entries(requested)) {
      const proto = port.split('/')[1];
      ports[port] = [];
      for (const b of bindings) {
        const hostIp = b.HostIp || '0.0.0.0';
        let hostPort = b.HostPort;
        if (!Number(hostPort)) hostPort = await freePort(b.HostIp, proto, takenPorts); // none or 0: docker picks one
        else if (takenPorts.has(`${proto}:${hostPort}`)) throw new SkiffError(`Bind for ${hostIp}:${hostPort} failed: port is already allocated`, 'conflict');
        else {
          const problem = await bindProblem(Number(hostPort), b.HostIp, proto);
          if (problem) throw new SkiffError(`Bind for ${hostIp}:${hostPort} failed: ${problem}`, 'conflict');
        }
        takenPorts.add(`${proto}:${hostPort}`);
        ports[port].push({ HostIp: hostIp, HostPort: hostPort });
      }
    }
    for (const [i, { name, aliases }] of wanted.entries()) {
      const n = name === DEFAULT_NETWORK ? await store.defaultNetwork(bip, note) : store.find(name);
      if (!n) throw new SkiffError(`network ${name} not found`, 'not-found');
      if (n.Default && aliases.length) throw new SkiffError('network-scoped aliases are only supported for user-defined networks', 'invalid');
      endpoints.push({ network: n, endpoint: reserveEndpoint(store, n, c, aliases, i, i === 0 ? ports : {}), ifname: `eth${i}` });
    }
  } catch (err) {
    lock.release();
    await releaseNetworking(root, c.Id);
    throw err;
  }
  lock.release();
  const primary = endpoints[0];
  const hosts = `${baseHosts}${primary.endpoint.IPAddress}\t${hostname}\n${linkLines.map((l) => l + '\n').join('')}`;
  // On a user network names resolve through its DNS server, at the gateway.
  const resolvConf = primary.network.Default
    ? hostResolvConf().split('\n').filter((l) => !/^\s*nameserver\s+127\./.test(l)).join('\n')
    : `nameserver ${primary.network.Gateway}\n${hostResolvConf().split('\n').filter((l) => /^\s*(search|options)\s/.test(l)).join('\n')}\n`;
  return { endpoints, hosts, resolvConf, linkEnv: linkVars };
}

/**
 * On a user network docker adds the container's short ID to its aliases
 * (it resolves by it; docker-compose looks for it to know a container is
 * connected as it asked).
 */
export function withShortId(n: { Default?: boolean }, c: { Id: string }, aliases: string[]): string[] {
  const short = c.Id.slice(0, 12);
  return n.Default || aliases.includes(short) ? aliases : [...aliases, short];
}

/** An address on `n` for the container's i-th interface, saved (the caller holds the lock). */
function reserveEndpoint(store: NetworkStore, n: Network, c: ContainerRecord, aliases: string[], i: number, ports: PortMap): Endpoint {
  const ip = store.allocate(n);
  const endpoint: Endpoint = {
    ContainerId: c.Id, Name: c.Name.slice(1), IPAddress: ip, MacAddress: macFor(ip), Aliases: withShortId(n, c, aliases),
    HostInterface: `vsk${c.Id.slice(0, 6)}${i.toString(16).padStart(3, '0')}`, Ports: ports,
  };
  n.Endpoints[c.Id] = endpoint;
  store.save(n);
  return endpoint;
}

/** network connect of a running container: one more interface (eth<N>) plugged live. */
export async function connectLive(root: string, c: ContainerRecord, networkName: string, aliases: string[]): Promise<NetworkSettings['Networks'][string]> {
  const store = new NetworkStore(root);
  const lock = await store.lock();
  try {
    const n = store.get(networkName);
    const index = store.all().filter((x) => x.Endpoints[c.Id]).length;
    const endpoint = reserveEndpoint(store, n, c, aliases, index, {});
    try {
      ensureBridge(n);
      plugEndpoint(n, endpoint, `/proc/${c.State.Pid}/ns/net`, `eth${index}`, false);
    } catch (err) {
      delete n.Endpoints[c.Id];
      store.save(n);
      throw err;
    }
    await ensureDns(root, n, selfExe(), store);
    await applyRuleset(root, store.all());
    return { NetworkID: n.Id, IPAddress: endpoint.IPAddress, IPPrefixLen: Number(n.Subnet.split('/')[1]), Gateway: n.Gateway, MacAddress: endpoint.MacAddress, Aliases: endpoint.Aliases };
  } finally {
    lock.release();
  }
}

/** After runtime create: the veths into the init's namespace, the rules, the DNS servers. */
export async function plugNetworking(root: string, exe: { node: string; cli: string }, plan: PlannedNetworking, initPid: number): Promise<void> {
  const netns = `/proc/${initPid}/ns/net`;
  if (plan.namespace) return; // host, or another container's: nothing of ours to plug
  loopbackUp(netns);
  if (!plan.endpoints.length) return;
  const store = new NetworkStore(root);
  const lock = await store.lock();
  try {
    // The endpoints are in the store since planNetworking: the rules can go in while the links are made.
    await whileRulesApply(applyRuleset(root, store.all()), async () => {
      for (const [i, { network, endpoint, ifname }] of plan.endpoints.entries()) {
        const n = store.get(network.Id);
        ensureBridge(n);
        trace('network: bridge up');
        plugEndpoint(n, endpoint, netns, ifname, i === 0);
        trace('network: veth plugged');
        await ensureDns(root, n, exe, store);
      }
    });
    trace('network: rules applied');
  } finally {
    lock.release();
  }
}

/**
 * Link work while `nft` (applyRuleset) runs beside it: their kernel work
 * takes different locks. Waits for both; a failure of the link work wins,
 * and nft is never left running behind the networks lock.
 */
async function whileRulesApply(rules: Promise<void>, work: () => Promise<void> | void): Promise<void> {
  try {
    await work();
  } catch (err) {
    await rules.catch(() => undefined);
    throw err;
  }
  await rules;
}

/** A user network's DNS server, started if it is not running (the caller holds the networks lock). */
async function ensureDns(root: string, n: Network, exe: { node: string; cli: string }, store: NetworkStore): Promise<void> {
  if (n.Default || (n.Dns && isAlive(n.Dns.Pid, n.Dns.StartTime))) return;
  n.Dns = await startDns(root, n, exe);
  store.save(n);
  trace('network: dns server ready');
}

/**
 * Starts `skiff network dns-server` for `n` and waits until it has bound
 * its socket (it writes "ready" to the pipe at its fd 3): a container
 * that starts after this never asks a port that nobody listens on yet.
 */
async function startDns(root: string, n: Network, exe: { node: string; cli: string }): Promise<{ Pid: number; StartTime: number }> {
  const logPath = join(root, 'networks', `${n.Id}.dns.log`);
  const log = openAppendLog(logPath);
  let child: ChildProcess;
  try {
    child = spawn(exe.node, [exe.cli, '--root', root, 'network', 'dns-server', n.Id], { detached: true, stdio: ['ignore', log.fd, log.fd, 'pipe'] });
  } finally {
    closeSync(log.fd);
  }
  const pipe = child.stdio[3] as Readable;
  try {
    await new Promise<void>((resolve, reject) => {
      let said = '';
      const timer = setTimeout(() => reject(new SkiffError(`the DNS server of network ${n.Name} did not start within 10 s (see ${logPath})`)), 10_000);
      const settle = (err?: Error) => { clearTimeout(timer); child.off('exit', onExit); if (err) reject(err); else resolve(); };
      const onExit = (code: number | null, signal: string | null) => {
        const last = lastLineSince(logPath, log.start) ?? `exit ${code ?? signal}`;
        settle(new SkiffError(`the DNS server of network ${n.Name} failed: ${last.replace(/^skiff: /, '')}`));
      };
      child.once('exit', onExit);
      child.once('error', (err: NodeJS.ErrnoException) => settle(new SkiffError(`spawn the DNS server of network ${n.Name}: ${err.code ?? err.message}`)));
      pipe.on('data', (d: Buffer) => { said += d.toString(); if (said.includes('ready\n')) settle(); });
    });
  } catch (err) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
    throw err;
  } finally {
    pipe.destroy();
  }
  child.unref();
  const pid = child.pid ?? 0;
  return { Pid: pid, StartTime: procStat(pid)?.startTime ?? 0 };
}

/** Everything of the container's in every network: endpoints, veths, rules; bridges and DNS servers no one uses. Idempotent. */
export async function releaseNetworking(root: string, containerId: string, only?: string): Promise<void> {
  const store = new NetworkStore(root);
  const lock = await store.lock();
  try {
    const all = store.all();
    const mine = all.filter((n) => n.Endpoints[containerId] && (!only || n.Name === only));
    if (!mine.length) return;
    const unusedBridges: string[] = [];
    for (const n of mine) {
      const e = n.Endpoints[containerId];
      if (linkExists(e.HostInterface)) removeLink(e.HostInterface); // gone already when the namespace died
      delete n.Endpoints[containerId];
      if (!Object.keys(n.Endpoints).length) {
        if (n.Dns) { try { if (isAlive(n.Dns.Pid, n.Dns.StartTime)) process.kill(n.Dns.Pid, 'SIGTERM'); } catch { /* gone */ } }
        n.Dns = undefined;
        unusedBridges.push(n.Bridge);
      }
      store.save(n);
    }
    trace('release: veths removed');
    // A bridge's removal waits for RCU grace periods (~40 ms): the rules change meanwhile.
    await whileRulesApply(applyRuleset(root, store.all()), () => {
      for (const bridge of unusedBridges) if (linkExists(bridge)) removeLink(bridge);
      trace('release: bridges removed');
    });
    trace('release: rules applied');
  } finally {
    lock.release();
  }
}

/** A container's NetworkSettings as the store has them (a start whose command died, adopted). */
export function settingsFromStore(root: string, containerId: string): NetworkSettings | undefined {
  const endpoints = new NetworkStore(root).all().filter((n) => n.Endpoints[containerId])
    .map((network) => ({ network, endpoint: network.Endpoints[containerId] }))
    .sort((a, b) => a.endpoint.HostInterface.localeCompare(b.endpoint.HostInterface));
  return settingsFrom({ endpoints });
}

/** inspect's NetworkSettings from the plan. */
export function settingsFrom(plan: { endpoints: { network: Network; endpoint: Endpoint }[] }): NetworkSettings | undefined {
  if (!plan.endpoints.length) return undefined;
  const networks: NetworkSettings['Networks'] = {};
  for (const { network, endpoint } of plan.endpoints) {
    networks[network.Name] = {
      NetworkID: network.Id, IPAddress: endpoint.IPAddress, IPPrefixLen: Number(network.Subnet.split('/')[1]), Gateway: network.Gateway,
      MacAddress: endpoint.MacAddress, Aliases: endpoint.Aliases,
    };
  }
  const first = plan.endpoints[0];
  const onDefault = first.network.Default;
  return {
    Networks: networks, Ports: first.endpoint.Ports,
    IPAddress: onDefault ? first.endpoint.IPAddress : '', Gateway: onDefault ? first.network.Gateway : '', MacAddress: onDefault ? first.endpoint.MacAddress : '',
  };
}

/** "0.0.0.0:32769->80/tcp, 443/tcp" (ps PORTS). */
export function portsText(c: ContainerRecord): string {
  const published = c.NetworkSettings?.Ports ?? {};
  const items: string[] = [];
  for (const [port, bs] of Object.entries(published)) for (const b of bs) items.push(`${b.HostIp}:${b.HostPort}->${port}`);
  for (const port of Object.keys(c.Config.ExposedPorts ?? {})) if (!(port in published)) items.push(port);
  return items.join(', ');
}

/** The node and CLI paths the DNS server is started with: skiff's CLI from the package (native.ts). */
export function selfExe(): { node: string; cli: string } {
  return skiffProgram();
}
