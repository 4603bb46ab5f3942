// The OCI spec an engine container runs with: the image's config and the
// container's record over Docker's defaults (moby oci/defaults.go and
// daemon/oci_linux.go): 14 capabilities, masked and read-only paths, the
// usual mounts, /etc/hostname, /etc/hosts and /etc/resolv.conf from files
// the engine writes. The runtime (src/runtime) takes it from here.
import { readFileSync } from 'node:fs';
import { SkiffError } from '../errors.js';
import type { Spec } from '../runtime/spec.js';
import { knownCapabilities } from '../runtime/security.js';
import type { Resources } from '../cgroups/resources.js';
import { hostConfigOf, type ContainerRecord, type HostConfig } from './containers.js';
import { readFileInRoot } from './rootfs.js';
import { containerSeccomp } from './seccompProfile.js';
import { ociMounts } from './mounts.js';

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const MASKED = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** "user", "uid", "user:group", "uid:gid" -> numbers, looked up in the container's own files. */
export function resolveUser(rootfs: string, spec: string): { uid: number; gid: number; additionalGids: number[]; home: string } {
  if (!spec) spec = '0';
  const [u, g] = spec.split(':');
  const passwd = (readFileInRoot(rootfs, '/etc/passwd') ?? '').split('\n').map((l) => l.split(':'));
  const groups = (readFileInRoot(rootfs, '/etc/group') ?? '').split('\n').map((l) => l.split(':'));
  const entry = /^\d+$/.test(u) ? passwd.find((p) => p[2] === u) : passwd.find((p) => p[0] === u);
  if (!entry && !/^\d+$/.test(u)) throw new SkiffError(`unable to find user ${u}: no matching entries in passwd file`, 'not-found');
  const uid = /^\d+$/.test(u) ? Number(u) : Number(entry![2]);
  let gid = entry ? Number(entry[3]) : 0;
  if (g !== undefined) {
    const group = /^\d+$/.test(g) ? undefined : groups.find((x) => x[0] === g);
    if (!/^\d+$/.test(g) && !group) throw new SkiffError(`unable to find group ${g}: no matching entries in group file`, 'not-found');
    gid = group ? Number(group[2]) : Number(g);
  }
  // Supplementary groups: every group that lists the user by name (as docker does).
  const name = entry?.[0];
  const additionalGids = name ? groups.filter((x) => x[3]?.split(',').includes(name)).map((x) => Number(x[2])) : [];
  // runc's setupUser (libcontainer/init_linux.go): HOME is the passwd entry's, "/" without one.
  return { uid, gid, additionalGids, home: entry?.[5] || '/' };
}

/** The process environment with HOME added from the user's passwd entry, unless it is set (docker run, exec). */
export function withHome(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home}`];
}

export interface SpecInput {
  container: ContainerRecord;
  rootfs: string;
  /** Files the engine wrote for the container: hostname, hosts, resolv.conf. */
  etc: { hostname: string; hosts: string; resolvConf: string };
  cgroupsPath?: string;
  /** The --init program on the host, bind-mounted at /dev/init. */
  initProgram?: string;
  /** 'host': no network namespace; a path: join that one (--network container:<x>). */
  netns?: string;
  /** --link's variables: the container's own environment wins over them (docker's CreateDaemonEnvironment). */
  linkEnv?: string[];
}

/** "net_admin", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "ALL" stays. Unknown names are an error. */
export function normalizeCapability(name: string): string {
  const upper = name.toUpperCase();
  if (upper === 'ALL') return upper;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  // Named as the user wrote it (the CLI sends CAP_-prefixed names, as docker's does).
  if (!knownCapabilities().has(full)) throw new SkiffError(`invalid capability ${JSON.stringify(name.replace(/^CAP_/i, ''))}: see capabilities(7) for the names`, 'invalid');
  return full;
}

/**
 * Every capability this host can grant: the known ones within our own
 * bounding set (this machine, for one, has no CAP_SYS_RESOURCE to give).
 */
function hostCapabilities(): string[] {
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  const mask = bounding ? BigInt('0x' + bounding[1]) : -1n;
  return [...knownCapabilities()].filter(([, bit]) => (mask >> BigInt(bit)) & 1n).map(([name]) => name);
}

/** Docker's rule: drops apply after adds, "ALL" in either means every capability. */
export function effectiveCapabilities(h: HostConfig): string[] {
  const all = hostCapabilities();
  if (h.Privileged) return all;
  const adds = h.CapAdd.map(normalizeCapability);
  const drops = h.CapDrop.map(normalizeCapability);
  let caps = adds.includes('ALL') ? all : [...new Set([...DEFAULT_CAPABILITIES, ...adds])];
  caps = drops.includes('ALL') ? caps.filter((c) => adds.includes(c)) : caps.filter((c) => !drops.includes(c));
  return caps.sort();
}

/**
 * -m, --cpus, --cpuset-cpus, --pids-limit and what `update` sets as OCI
 * resources (cpus as quota per 100 ms period, as Docker). Without `devices`
 * for `update`, which leaves the device rules alone.
 */
export function limitsOf(h: HostConfig): Resources {
  const r: Resources = {};
  if (h.Memory || h.MemorySwap) r.memory = { ...(h.Memory ? { limit: h.Memory } : {}), ...(h.MemorySwap ? { swap: h.MemorySwap } : {}) };
  const cpu: NonNullable<Resources['cpu']> = {};
  if (h.NanoCpus) Object.assign(cpu, { period: 100_000, quota: Math.round(h.NanoCpus / 10_000) });
  if (h.CpuPeriod) cpu.period = h.CpuPeriod;
  if (h.CpuQuota) cpu.quota = h.CpuQuota;
  if (h.CpuShares) cpu.shares = h.CpuShares;
  if (h.CpusetCpus) cpu.cpus = h.CpusetCpus;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (h.PidsLimit > 0) r.pids = { limit: h.PidsLimit };
  return r;
}

function resourcesOf(h: HostConfig): Resources {
  return { devices: [{ allow: h.Privileged, access: 'rwm' }], ...limitsOf(h) };
}

/** --security-opt no-new-privileges[=true|false]: the last one counts (moby parseSecurityOpt). */
function noNewPrivileges(securityOpt: readonly string[]): boolean {
  let nnp = false;
  for (const o of securityOpt) if (o === 'no-new-privileges' || o.startsWith('no-new-privileges=')) nnp = o !== 'no-new-privileges=false';
  return nnp;
}

export function containerOciSpec(input: SpecInput): Spec {
  const c = input.container;
  const own = new Set(c.Config.Env.map((e) => e.split('=')[0]));
  const env = [...(input.linkEnv ?? []).filter((e) => !own.has(e.split('=')[0])), ...c.Config.Env];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${c.Config.Hostname}`);
  if (c.Config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const user = resolveUser(input.rootfs, c.Config.User);
  env.splice(0, env.length, ...withHome(env, user.home));
  const h = hostConfigOf(c);
  const caps = effectiveCapabilities(h);
  const args = [c.Path, ...c.Args];
  const initMount = input.initProgram
    ? [{ destination: '/dev/init', type: 'bind', source: input.initProgram, options: ['bind', 'ro', 'nosuid', 'nodev'] }]
    : [];
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: c.Config.Tty,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: input.initProgram ? ['/dev/init', '--', ...args] : args,
      env,
      cwd: c.Config.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: noNewPrivileges(h.SecurityOpt ?? []),
    },
    root: { path: input.rootfs, readonly: h.ReadonlyRootfs },
    hostname: c.Config.Hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', h.Privileged ? 'rw' : 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: input.etc.resolvConf, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hostname', type: 'bind', source: input.etc.hostname, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hosts', type: 'bind', source: input.etc.hosts, options: ['rbind', 'rprivate'] },
      ...initMount,
      ...ociMounts(c.Mounts ?? []),
    ],
    linux: {
      namespaces: [
        { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' },
        ...(input.netns === 'host' ? [] : [input.netns ? { type: 'network', path: input.netns } : { type: 'network' }]),
      ],
      cgroupsPath: input.cgroupsPath ?? `/skiff/${c.Id}`,
      resources: resourcesOf(h),
      // --privileged: no masks, no read-only /proc parts, no seccomp (docker run(1)).
      maskedPaths: h.Privileged ? [] : MASKED,
      readonlyPaths: h.Privileged ? [] : READONLY,
      seccomp: containerSeccomp(h.SecurityOpt ?? [], h.Privileged, caps),
    },
  };
}
