// Networks and their IP address management, persisted under
// <root>/networks/<id>.json and changed only under networks.lock (flock), so
// concurrent runs never get the same address. Addresses are handed out
// sequentially from .2 (the gateway is .1) and freed when a container stops.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, writeFileAtomic } from '../util/files.js';
import { formatIp, formatSubnet, hostRoutedSubnets, isHostAddress, overlaps, parseIp, parseSubnet, size, type Subnet } from './ipv4.js';

export interface PortBinding { HostIp: string; HostPort: string }
/** "80/tcp" -> bindings, as Docker's PortMap. */
export type PortMap = Record<string, PortBinding[]>;

export interface Endpoint {
  ContainerId: string;
  Name: string; // container name, without "/"
  IPAddress: string;
  MacAddress: string;
  Aliases: string[];
  /** The host side of the container's veth. */
  HostInterface: string;
  Ports: PortMap;
}

export interface Network {
  Name: string;
  Id: string;
  Created: string;
  Driver: 'bridge';
  Subnet: string;
  Gateway: string;
  Bridge: string; // device name
  Labels: Record<string, string>;
  /** The default network ("bridge"): --link works here, names do not resolve. */
  Default: boolean;
  Endpoints: Record<string, Endpoint>;
  /** The DNS server of a user network, while it has endpoints. */
  Dns?: { Pid: number; StartTime: number };
}

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_ROOT = '/var/lib/skiff';

/**
 * Host-wide names must not clash between two engine roots on one machine
 * (tests run several at once): the default root's are "skiff0" and table
 * "skiff", another root's carry a short hash of its path.
 */
export function rootTag(root: string): string {
  return resolve(root) === DEFAULT_ROOT ? '' : createHash('sha256').update(resolve(root)).digest('hex').slice(0, 6);
}
export const defaultBridge = (root: string) => (rootTag(root) ? `skiff0-${rootTag(root)}` : 'skiff0');

// Subnets are claimed host-wide, across roots, under one lock: two roots
// creating networks at once must not both take 172.17.0.0/16.
const CLAIMS = '/run/skiff/subnets';
const DEFAULT_SUBNET = '172.17.0.0/16';
// Where new networks' subnets come from when none is given (Docker's pools).
function* candidateSubnets(): Generator<string> {
  for (let b = 17; b <= 31; b++) yield `172.${b}.0.0/16`;
  for (let c = 0; c <= 255; c++) yield `192.168.${c}.0/24`;
}

interface CreateOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  labels?: Record<string, string>;
  isDefault?: boolean;
  note?: (s: string) => void;
}

export class NetworkStore {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'networks');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  lock(): Promise<FileLock> {
    return FileLock.acquire(join(this.root, 'networks.lock'));
  }

  all(): Network[] {
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).flatMap((f) => {
      try { return [JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as Network]; } catch { return []; }
    });
  }

  /** By name, full ID or unique ID prefix. */
  find(ref: string): Network | undefined {
    const all = this.all();
    return all.find((n) => n.Name === ref) ?? all.find((n) => n.Id === ref) ?? (() => {
      const byPrefix = all.filter((n) => ref.length >= 3 && n.Id.startsWith(ref));
      return byPrefix.length === 1 ? byPrefix[0] : undefined;
    })();
  }

  get(ref: string): Network {
    const n = this.find(ref);
    if (!n) throw new SkiffError(`network ${ref} not found`, 'not-found');
    return n;
  }

  save(n: Network): void {
    writeFileAtomic(join(this.dir, `${n.Id}.json`), JSON.stringify(n, null, 2), 0o600);
  }

  delete(n: Network): void {
    rmSync(join(this.dir, `${n.Id}.json`), { force: true });
    rmSync(join(this.dir, `${n.Id}.dns.log`), { force: true }); // its DNS server's stderr (networking.ts startDns)
    rmSync(join(CLAIMS, n.Subnet.replace('/', '_')), { force: true });
  }

  /** Subnets in use: the host's routes, this root's networks, and live claims of other roots. */
  private taken(): Subnet[] {
    mkdirSync(CLAIMS, { recursive: true, mode: 0o700 });
    const claimed = readdirSync(CLAIMS).flatMap((f) => {
      try {
        const [root, id] = readFileSync(join(CLAIMS, f), 'utf8').split('\n');
        if (!existsSync(join(root, 'networks', `${id}.json`))) { rmSync(join(CLAIMS, f), { force: true }); return []; } // stale
        return [parseSubnet(f.replace('_', '/'))];
      } catch { return []; }
    });
    return [...hostRoutedSubnets(), ...this.all().map((n) => parseSubnet(n.Subnet)), ...claimed];
  }

  /** Creates a network (the caller holds the lock). A subnet that overlaps the host's or another network's is refused. */
  async create(o: CreateOptions): Promise<Network> {
    if (this.find(o.name)) throw new SkiffError(`network with name ${o.name} already exists`, 'conflict');
    mkdirSync(CLAIMS, { recursive: true, mode: 0o700 });
    const hostLock = await FileLock.acquire(`${CLAIMS}.lock`);
    try {
      return this.createClaimed(o);
    } finally {
      hostLock.release();
    }
  }

  private createClaimed(o: CreateOptions): Network {
    let subnet: Subnet;
    const taken = this.taken();
    if (o.subnet) {
      subnet = parseSubnet(o.subnet);
      const clash = taken.find((t) => overlaps(t, subnet));
      const what = o.isDefault ? `the default network's "bip" (daemon.json) ${o.gateway}/${subnet.prefix}` : 'invalid pool request';
      if (clash) throw new SkiffError(`${what}: Pool overlaps with other one on this address space (${formatSubnet(subnet)} overlaps ${formatSubnet(clash)})`);
    } else {
      const free = [...(o.isDefault ? [DEFAULT_SUBNET] : []), ...candidateSubnets()].map(parseSubnet).find((s) => !taken.some((t) => overlaps(t, s)));
      if (!free) throw new SkiffError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
      if (o.isDefault && formatSubnet(free) !== DEFAULT_SUBNET) o.note?.(`${DEFAULT_SUBNET} is in use on this host; the default network uses ${formatSubnet(free)}`);
      subnet = free;
    }
    const gateway = o.gateway ? parseIp(o.gateway) : subnet.base + 1;
    if (!isHostAddress(subnet, gateway))
      throw new SkiffError(`invalid gateway ${o.gateway}: it must be a host address in ${formatSubnet(subnet)}`, 'invalid');
    const id = randomBytes(32).toString('hex');
    const n: Network = {
      Name: o.name, Id: id, Created: new Date().toISOString(), Driver: 'bridge', Subnet: formatSubnet(subnet), Gateway: formatIp(gateway),
      Bridge: o.isDefault ? defaultBridge(this.root) : `sk-${id.slice(0, 12)}`, Labels: o.labels ?? {}, Default: !!o.isDefault, Endpoints: {},
    };
    this.save(n);
    writeFileAtomic(join(CLAIMS, n.Subnet.replace('/', '_')), `${resolve(this.root)}\n${n.Id}`, 0o600);
    return n;
  }

  /**
   * The default network, made on first use: on daemon.json's "bip" if set,
   * else 172.17.0.0/16 or the first free pool. A changed "bip" takes effect
   * once no container is on the network (dockerd applies it at its restart).
   */
  async defaultNetwork(bip: { subnet: string; gateway: string } | undefined, note?: (s: string) => void): Promise<Network> {
    const existing = this.find(DEFAULT_NETWORK);
    const asConfigured = !bip || (existing?.Subnet === bip.subnet && existing.Gateway === bip.gateway);
    if (existing && (asConfigured || Object.keys(existing.Endpoints).length)) {
      if (!asConfigured) note?.(`the default network keeps ${existing.Subnet} until its containers stop ("bip" in daemon.json asks for ${bip!.gateway}/${bip!.subnet.split('/')[1]})`);
      return existing;
    }
    if (existing) this.delete(existing); // empty, and on an old "bip": made again on the new one
    return this.create({ name: DEFAULT_NETWORK, isDefault: true, note, subnet: bip?.subnet, gateway: bip?.gateway });
  }

  /** The lowest free host address from .2 on (the caller holds the lock). */
  allocate(n: Network): string {
    const subnet = parseSubnet(n.Subnet);
    const used = new Set([n.Gateway, ...Object.values(n.Endpoints).map((e) => e.IPAddress)]);
    for (let ip = subnet.base + 2; ip < subnet.base + size(subnet) - 1; ip++) {
      if (!used.has(formatIp(ip))) return formatIp(ip);
    }
    throw new SkiffError(`no available IPv4 addresses on network ${n.Name} (${n.Subnet})`);
  }
}

/** Docker's MAC for an address: 02:42 and the four bytes of the IP. */
export function macFor(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}
