// The planner: a validated OCI spec in, a flat, ordered setup plan out.
// The plan is what the C++ helper (native/setup) executes, one step function
// per entry, without knowing anything about OCI. Reading a plan top to bottom
// tells exactly what the kernel will be asked to do (`--debug` prints it).
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { SkiffError } from '../errors.js';
import { native } from '../native.js';
import { hierarchyDirName, parseMountinfo } from '../cgroups/hierarchy.js';
import type { CgroupManager } from '../cgroups/manager.js';
import { parseMountOptions, propagationFlags } from './mountOptions.js';
import type { Mount, Spec } from './spec.js';
import { capabilityPlan, seccompLoadArgs, seccompSteps, usesSeccompNotify } from './security.js';
import { hookSteps } from './hooks.js';

export const PLAN_VERSION = '1';

import type { PlanStep } from './planStep.js';

export type { PlanStep };

export interface Plan {
  version: string;
  /** setns(2) into these before clone: [type, path]. User namespace first. */
  joins: [string, string][];
  /** Namespaces the init gets new, as clone(2) flags by name. */
  clone: string[];
  /** uid_map / gid_map contents for a new user namespace. */
  idMap?: { uid: string; gid: string };
  /** run mode: the helper reaps the init and reports its exit. */
  wait: boolean;
  /** Run by the helper as host root before clone; the init inherits the fds they open. */
  preClone: PlanStep[];
  steps: PlanStep[];
}

export interface PlanInput {
  spec: Spec;
  bundle: string;
  /** Container state directory (holds exec.fifo). */
  stateDir: string;
  noPivot: boolean;
  preserveFds: number;
  wait: boolean;
  cgroups?: CgroupManager;
  /** Where the pty master goes when process.terminal is set. */
  console?: ConsoleTarget;
  /** For a seccomp agent: who the container is (id, bundle). */
  container?: AgentContainer;
  /** The caller's terminal [rows, columns], the pty's first size when the spec has none. */
  terminalSize?: [number, number];
}

export interface AgentContainer { id: string; bundle: string; annotations?: Record<string, string> }

/**
 * What a seccomp agent receives with the listener fd: the runtime-spec's
 * container process state (config-linux.md "listenerPath"), as runc sends
 * it. The pids are filled in by the init (it alone knows its host pid):
 * the JSON is split where "pid":-1 stands.
 */
function seccompAgentState(seccomp: NonNullable<Spec['linux']>['seccomp'], c: AgentContainer, status: string, initPid?: number): string[] {
  const state = {
    ociVersion: '1.0.2', fds: ['seccompFd'], pid: -1, metadata: seccomp?.listenerMetadata ?? '',
    state: { ociVersion: '1.2.0', id: c.id, status, pid: initPid ?? -1, bundle: c.bundle, annotations: c.annotations ?? {} },
  };
  return JSON.stringify(state).split('"pid":-1').map((part, i, all) => (i < all.length - 1 ? part + '"pid":' : part));
}

/** A --console-socket path, or a fd Node passes the helper (foreground run). */
export type ConsoleTarget = { socket: string } | { fd: number };

function consolePreClone(console: ConsoleTarget): PlanStep {
  return 'socket' in console
    ? { op: 'connect_console_socket', args: [console.socket] }
    : { op: 'use_console_fd', args: [String(console.fd)] };
}

/** The pty's first size: the spec's consoleSize, else the caller's terminal (passed in: the planner reads no process). */
function terminalSize(proc: NonNullable<Spec['process']>, caller: [number, number] | undefined): [number, number] {
  const size = (proc as { consoleSize?: { height: number; width: number } }).consoleSize;
  if (size) return [size.height, size.width];
  return caller ?? [0, 0];
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// runc's default devices (libcontainer/specconv: AllowedDevices), all 0666.
const DEFAULT_DEVICES: [string, number, number][] = [
  ['/dev/null', 1, 3], ['/dev/zero', 1, 5], ['/dev/full', 1, 7],
  ['/dev/random', 1, 8], ['/dev/urandom', 1, 9], ['/dev/tty', 5, 0],
];

export function rootfsPath(spec: Spec, bundle: string): string {
  return isAbsolute(spec.root.path) ? spec.root.path : join(bundle, spec.root.path);
}

function hasNamespace(spec: Spec, type: string): boolean {
  return spec.linux?.namespaces?.some((n) => n.type === type) ?? false;
}

function newNamespace(spec: Spec, type: string): boolean {
  return spec.linux?.namespaces?.some((n) => n.type === type && !n.path) ?? false;
}

const idMapText = (maps: { containerID: number; hostID: number; size: number }[] = []) =>
  maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');

export function buildPlan(input: PlanInput): Plan {
  const { spec, bundle } = input;
  const k = native().constants;
  const proc = spec.process!;
  const rootfs = rootfsPath(spec, bundle);
  if (!existsSync(rootfs)) throw new SkiffError(`root.path ${rootfs} does not exist`, 'not-found');
  if (!statSync(rootfs).isDirectory()) throw new SkiffError(`root.path ${rootfs} is not a directory`);
  if (!hasNamespace(spec, 'mount')) throw new SkiffError('config.json: linux.namespaces needs a mount namespace (skiff-runtime sets up the root inside one)');
  if (proc.terminal && !input.console) throw new SkiffError('process.terminal needs --console-socket when the runtime does not stay attached');
  if (!proc.terminal && input.console && 'socket' in input.console) throw new SkiffError('--console-socket needs process.terminal: true');
  const userns = newNamespace(spec, 'user');

  const namespaces = spec.linux?.namespaces ?? [];
  const joins = namespaces
    .filter((n) => n.path)
    .sort((a, b) => Number(b.type === 'user') - Number(a.type === 'user'))
    .map((n) => [n.type, n.path!] as [string, string]);
  // The cgroup namespace is unshared by the init after Node placed it in its
  // cgroup, so that the namespace's root is the container's own cgroup.
  const clone = namespaces.filter((n) => !n.path && n.type !== 'cgroup').map((n) => n.type);

  // Opened before clone, as host root: an init in a user namespace may not
  // be able to reach them (the state directory is root's, mode 0700).
  const preClone: PlanStep[] = [
    { op: 'open_host_proc', args: [] },
    { op: 'open_exec_fifo', args: [join(input.stateDir, 'exec.fifo')] },
  ];
  if (proc.terminal) preClone.push(consolePreClone(input.console!));
  const seccomp = spec.linux?.seccomp;
  if (usesSeccompNotify(seccomp)) preClone.push({ op: 'connect_seccomp_agent', args: [seccomp!.listenerPath!] });
  const steps: PlanStep[] = [];
  if (usesSeccompNotify(seccomp)) {
    const c = input.container ?? { id: posix.basename(input.stateDir), bundle, annotations: spec.annotations };
    steps.push({ op: 'seccomp_agent_state', args: seccompAgentState(seccomp, c, 'creating') });
  }
  const step = (op: string, ...args: (string | number)[]) => steps.push({ op, args: args.map(String) });

  if (proc.oomScoreAdj !== undefined) step('set_oom_score_adj', proc.oomScoreAdj);
  if (spec.hostname) step('set_hostname', spec.hostname);
  if (spec.domainname) step('set_domainname', spec.domainname);

  // Root propagation, runc's rules (libcontainer/rootfs_linux.go
  // prepareRoot): rootfsPropagation (default rslave) applies to our copy of
  // the host's mounts, so that "rshared" keeps them peers of the host's and
  // a bind mount of a shared host path with "rshared" stays in the host's
  // own peer group (Kubernetes' Bidirectional). The mount holding the
  // rootfs is made private if it is shared; the container's "/" is then
  // left as that bind makes it.
  const rootProp = spec.linux?.rootfsPropagation;
  step('set_root_propagation', rootProp ? propagationFlags(rootProp) : k.MS_SLAVE | k.MS_REC);
  step('make_mount_private', mountPointOf(rootfs));
  step('bind_rootfs', rootfs);

  const readonlyLater: [string, number][] = [];
  // In a user namespace, bind sources are opened by the helper before clone
  // (see EarlyBindSources).
  const early = hasNamespace(spec, 'user')
    ? { preClone, slots: 0, propagation: rootProp ? propagationFlags(rootProp) & PROPAGATION_TYPES() : 0 }
    : undefined;
  for (const m of spec.mounts ?? []) planMount(m, input, userns, step, readonlyLater, early);

  const devMounted = (spec.mounts ?? []).some((m) => posix.normalize(m.destination) === '/dev');
  if (devMounted) {
    for (const [path, major, minor] of DEFAULT_DEVICES) {
      if (spec.linux?.devices?.some((d) => d.path === path)) continue;
      planDevice(step, userns, path, 'c', major, minor, 0o666, 0, 0);
    }
  }
  for (const d of spec.linux?.devices ?? []) {
    planDevice(step, userns, d.path, d.type === 'u' ? 'c' : d.type, d.major ?? 0, d.minor ?? 0, d.fileMode ?? 0o666, d.uid ?? 0, d.gid ?? 0);
  }
  if (devMounted) {
    // /dev symlinks every Linux program expects (runc: setupDevSymlinks).
    step('symlink', '/proc/self/fd', '/dev/fd');
    step('symlink', '/proc/self/fd/0', '/dev/stdin');
    step('symlink', '/proc/self/fd/1', '/dev/stdout');
    step('symlink', '/proc/self/fd/2', '/dev/stderr');
    if (existsSync('/proc/kcore')) step('symlink', '/proc/kcore', '/dev/core');
    if ((spec.mounts ?? []).some((m) => posix.normalize(m.destination) === '/dev/pts')) step('symlink', 'pts/ptmx', '/dev/ptmx');
  }


  // Hooks (runtime-spec runtime.md "Lifecycle" steps 5-6): Node runs prestart
  // and createRuntime now; createContainer hooks run here, in our namespaces,
  // before pivot_root.
  // Messages arrive in the order Node sends them: CGROUP_JOINED, then HOOKS_DONE.
  const hooked = hasHooks(spec);
  if (hooked) step('await_cgroup_placement');
  if (hooked) step('sync_hooks');
  steps.push(...hookSteps('createContainer', spec.hooks));
  if (input.noPivot) step('move_root', rootfs);
  else step('pivot_root');

  if (proc.terminal) step('setup_terminal', ...terminalSize(proc, input.terminalSize));
  // After /dev/console is bound in /dev (runc's finalizeRootfs follows its
  // setupConsole): a read-only /dev would refuse the mount point (runc#3248).
  for (const [dest, flags] of readonlyLater) step('remount_readonly', dest, flags);
  // Before readonly_path makes /proc/sys read-only.
  for (const [name, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    checkSysctl(spec, name);
    step('set_sysctl', name, value);
  }
  for (const p of spec.linux?.maskedPaths ?? []) step('mask_path', p);
  for (const p of spec.linux?.readonlyPaths ?? []) step('readonly_path', p);
  if (spec.root.readonly) step('remount_root_readonly');

  // Node placed us in our cgroups meanwhile (see native/setup/main.cc).
  if (!hooked) step('await_cgroup_placement');
  if (newNamespace(spec, 'cgroup')) step('unshare_cgroupns');
  for (const r of proc.rlimits ?? []) step('set_rlimit', k[r.type], r.soft, r.hard, r.type);
  if (proc.user.umask !== undefined) step('set_umask', proc.user.umask.toString(8));
  planProcessIdentity(step, steps, spec, input.preserveFds);


  return {
    version: PLAN_VERSION,
    joins,
    clone,
    idMap: userns ? { uid: idMapText(spec.linux?.uidMappings), gid: idMapText(spec.linux?.gidMappings) } : undefined,
    wait: input.wait,
    preClone,
    steps,
  };
}

/**
 * The end of every plan, shared by create and exec: capabilities, user,
 * cwd, no_new_privs, seccomp, the exec barrier and execve, in the order
 * runc's finalizeNamespace uses (capabilities(7) explains each constraint).
 */
export function planProcessIdentity(
  step: StepFn, steps: PlanStep[], spec: Pick<Spec, 'process' | 'linux' | 'hooks'>, preserveFds: number,
  ready: 'exec_barrier' | 'report_ready' = 'exec_barrier',
): void {
  const proc = spec.process!;
  const caps = proc.capabilities ? capabilityPlan(proc.capabilities) : undefined;
  const seccomp = spec.linux?.seccomp;
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
  // while we are still root with every capability. With it, load it once
  // no_new_privs is set, before the exec barrier: startContainer hooks run
  // under the container's filter, as runc runs them.
  const seccompEarly = seccomp && !proc.noNewPrivileges;
  // Before any filter: a profile need not allow close_range (the fds are
  // marked close-on-exec, so the channel and the fifo still work until execve).
  step('close_fds', 3 + preserveFds);
  if (seccomp) steps.push(...seccompSteps(seccomp));
  if (seccompEarly) step('seccomp_load', ...seccompLoadArgs(seccomp));
  // runc's order: chdir as root first, and again as the user only if root
  // was refused (native/setup/steps_process.cc change_dir).
  step('change_dir', proc.cwd, 'try');
  if (caps) step('drop_bounding_caps', caps.bounding.toString());
  if (caps) step('set_keep_caps', 1);
  if (proc.user.uid !== 0) step('fix_stdio_owner', proc.user.uid, proc.terminal ? 1 : 0);
  step('set_groups', ...(proc.user.additionalGids ?? []));
  step('set_user', proc.user.uid, proc.user.gid);
  if (caps) {
    step('set_keep_caps', 0);
    step('set_capabilities', caps.effective.toString(), caps.permitted.toString(), caps.inheritable.toString());
    // The kernel raises an ambient capability only if it is also permitted
    // and inheritable (capabilities(7)); runc's default spec lists ambient
    // capabilities without inheritable ones and runc runs it, so skip the rest.
    const ambient = caps.ambient & caps.permitted & caps.inheritable;
    if (ambient) step('raise_ambient_caps', ambient.toString());
  }
  step('change_dir', proc.cwd);
  step('find_executable', proc.args[0], ...executableCandidates(proc.args[0], proc.env ?? []));
  if (proc.noNewPrivileges) step('set_no_new_privs');
  if (seccomp && !seccompEarly) step('seccomp_load', ...seccompLoadArgs(seccomp));
  step('exec_args', ...proc.args);
  step('exec_env', ...(proc.env ?? []));
  step(ready);
  if (ready === 'exec_barrier') {
    // startContainer hooks run once `start` opened the fifo, then we say go.
    steps.push(...hookSteps('startContainer', spec.hooks));
    step('release_start');
  }
  step('exec');
}

// Only sysctls that belong to a namespace the container owns may be set
// (runc's validator): IPC ones need a new ipc namespace, net.* a new network
// namespace, kernel.domainname a new uts namespace.
const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

export function checkSysctl(spec: Spec, name: string): void {
  if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(name)) throw new SkiffError(`config.json: linux.sysctl: invalid name ${JSON.stringify(name)}`);
  const needs = IPC_SYSCTLS.includes(name) || name.startsWith('fs.mqueue.') ? 'ipc'
    : name.startsWith('net.') ? 'network'
    : name === 'kernel.domainname' ? 'uts' : undefined;
  if (!needs) throw new SkiffError(`config.json: linux.sysctl: ${name} is not namespaced: it would change the host`);
  if (!newNamespace(spec, needs)) throw new SkiffError(`config.json: linux.sysctl: ${name} needs a new ${needs} namespace`);
}

/** The mount point of the mount that holds `path` (longest mountinfo prefix). */
export function mountPointOf(path: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string {
  let best = '/';
  for (const { mountPoint } of parseMountinfo(mountinfo)) {
    const inside = path === mountPoint || path.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/');
    if (inside && mountPoint.length > best.length) best = mountPoint;
  }
  return best;
}

export function hasHooks(spec: Spec): boolean {
  return Object.values(spec.hooks ?? {}).some((list) => list?.length);
}

/** Where execve will look for args[0]: the container's PATH, as execvp(3) would. */
export function executableCandidates(arg0: string, env: string[]): string[] {
  if (arg0.includes('/')) return [arg0];
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  return pathVar.split(':').filter(Boolean).map((dir) => posix.join(dir, arg0));
}

type StepFn = (op: string, ...args: (string | number)[]) => void;

// /proc/<pid>/ns/ names of the spec's namespace types, in the order runc's
// nsexec joins them: user first (it grants the rights for the rest), mount
// last (it changes our root and cwd).
const JOIN_ORDER: [string, string][] = [
  ['user', 'user'], ['ipc', 'ipc'], ['uts', 'uts'], ['network', 'net'], ['pid', 'pid'], ['cgroup', 'cgroup'], ['time', 'time'], ['mount', 'mnt'],
];

export interface ExecPlanInput {
  /** The container's config (its namespaces and seccomp profile). */
  spec: Spec;
  /** The process to run: the container's process with exec's overrides. */
  process: NonNullable<Spec['process']>;
  initPid: number;
  preserveFds: number;
  wait: boolean;
  console?: ConsoleTarget;
  container?: AgentContainer;
  /** The caller's terminal [rows, columns], the pty's first size when the spec has none. */
  terminalSize?: [number, number];
}

/** A plan that joins a running container and execs one more process in it. */
export function buildExecPlan(input: ExecPlanInput): Plan {
  const k = native().constants;
  const present = new Set((input.spec.linux?.namespaces ?? []).map((n) => n.type));
  const joins = JOIN_ORDER.filter(([type]) => present.has(type))
    .map(([type, name]) => [type, `/proc/${input.initPid}/ns/${name}`] as [string, string]);
  const steps: PlanStep[] = [];
  const step = (op: string, ...args: (string | number)[]) => steps.push({ op, args: args.map(String) });
  const preClone = input.process.terminal && input.console ? [consolePreClone(input.console)] : [];
  const seccomp = input.spec.linux?.seccomp;
  if (usesSeccompNotify(seccomp)) {
    // The host's /proc tells the process its host pid, for the agent.
    preClone.push({ op: 'open_host_proc', args: [] }, { op: 'connect_seccomp_agent', args: [seccomp!.listenerPath!] });
    const c = input.container ?? { id: '', bundle: '' };
    steps.push({ op: 'seccomp_agent_state', args: seccompAgentState(seccomp, c, 'running', input.initPid) });
  }
  step('await_cgroup_placement');
  if (input.process.terminal) {
    if (!input.console) throw new SkiffError('a terminal needs --console-socket when the runtime does not stay attached');
    step('setup_terminal', ...terminalSize(input.process, input.terminalSize));
  }
  for (const r of input.process.rlimits ?? []) step('set_rlimit', k[r.type], r.soft, r.hard, r.type);
  if (input.process.user.umask !== undefined) step('set_umask', input.process.user.umask.toString(8));
  planProcessIdentity(step, steps, { process: input.process, linux: input.spec.linux }, input.preserveFds, 'report_ready');
  return { version: PLAN_VERSION, joins, clone: [], wait: input.wait, preClone, steps };
}

function planDevice(step: StepFn, userns: boolean, path: string, type: string, major: number, minor: number, mode: number, uid: number, gid: number) {
  // mknod(2) is refused inside a user namespace: bind the host's node instead.
  if (userns) step('bind_device', path, path);
  else step('mknod', path, type, major, minor, (mode & 0o7777).toString(8), uid, gid);
}

/**
 * Bind sources the helper opens before clone, as host root (runc:
 * shouldSendMountSources, with a user namespace). The init, root only in
 * its user namespace, may be refused the path to a source (a parent
 * directory of mode 0700); the fd the helper opened carries the access it
 * had. `propagation` is the root propagation type the container's copy of
 * the host's mounts gets (0: slave, the default), given to the copies too.
 */
interface EarlyBindSources { preClone: PlanStep[]; slots: number; propagation: number }

const PROPAGATION_TYPES = () => {
  const k = native().constants;
  return k.MS_SHARED | k.MS_SLAVE | k.MS_PRIVATE | k.MS_UNBINDABLE;
};

function planMount(m: Mount, input: PlanInput, userns: boolean, step: StepFn, readonlyLater: [string, number][], early?: EarlyBindSources): void {
  const k = native().constants;
  const o = parseMountOptions(m.options);
  const dest = m.destination;
  const data = o.data.join(',');
  if (m.type === 'cgroup' || m.type === 'cgroup2') return planCgroupMount(m, input, step);
  if (o.bind || m.type === 'bind') {
    if (!m.source) throw new SkiffError(`config.json: mount ${dest}: a bind mount needs a source`);
    const source = isAbsolute(m.source) ? m.source : join(input.bundle, m.source);
    let kind: 'd' | 'f';
    try {
      kind = statSync(source).isDirectory() ? 'd' : 'f';
    } catch {
      throw new SkiffError(`mount ${dest}: source ${source} does not exist`, 'not-found');
    }
    const bindFlags = k.MS_BIND | (o.recursive ? k.MS_REC : 0);
    // Flags beyond bind take effect only through a bind-remount (mount(2)).
    const remount = o.flags & ~(k.MS_BIND | k.MS_REC | k.MS_REMOUNT);
    if (early) {
      const slot = early.slots++;
      early.preClone.push({ op: 'open_mount_source', args: [String(slot), source, o.recursive ? '1' : '0', ...(early.propagation ? [String(early.propagation)] : [])] });
      step('attach_mount_source', slot, dest, kind, remount, o.propagation);
    } else {
      step('mount', source, dest, '', bindFlags, '', o.propagation, kind, remount);
    }
    if (o.recursiveSet || o.recursiveClear) step('mount_setattr', dest, o.recursiveSet, o.recursiveClear);
    return;
  }
  // proc and sysfs must land exactly where the config says: a symlink in the
  // image at /proc could send them elsewhere (runc refuses anything but a
  // directory there, CVE-2019-16884 class; lstat, so the link is not followed).
  if (m.type === 'proc' || m.type === 'sysfs') {
    let st;
    try { st = lstatSync(join(rootfsPath(input.spec, input.bundle), posix.normalize(dest))); } catch { /* created later */ }
    if (st && !st.isDirectory()) throw new SkiffError(`mount ${dest}: filesystem "${m.type}" must be mounted on ordinary directory`);
  }
  // sysfs cannot be mounted in a user namespace that does not own the
  // network namespace; runc falls back to a recursive bind of the host's.
  if (m.type === 'sysfs' && userns && !newNamespace(input.spec, 'network')) {
    step('mount', '/sys', dest, '', k.MS_BIND | k.MS_REC, '', o.propagation, 'd', o.flags & ~k.MS_REMOUNT);
    return;
  }
  let flags = o.flags;
  // A read-only tmpfs or /dev would refuse the mount points, device nodes
  // and symlinks made in it later: mounted writable, made read-only after.
  if ((m.type === 'tmpfs' || posix.normalize(dest) === '/dev') && flags & k.MS_RDONLY) {
    flags &= ~k.MS_RDONLY;
    readonlyLater.push([dest, flags & (k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC | k.MS_NOATIME | k.MS_NODIRATIME | k.MS_RELATIME | k.MS_STRICTATIME)]);
  }
  step('mount', m.source ?? m.type ?? 'none', dest, m.type ?? '', flags, data, o.propagation, 'd', 0);
  if (o.recursiveSet || o.recursiveClear) step('mount_setattr', dest, o.recursiveSet, o.recursiveClear);
}

// A "cgroup" mount shows the container its own cgroups: on v2 a bind of its
// cgroup2 directory; on v1/hybrid a tmpfs with one bind per hierarchy, as
// runc lays it out.
function planCgroupMount(m: Mount, input: PlanInput, step: StepFn): void {
  const k = native().constants;
  const o = parseMountOptions(m.options);
  const cg = input.cgroups;
  if (!cg) return;
  const remount = (o.flags & (k.MS_RDONLY | k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC)) | k.MS_BIND;
  if (cg.mode === 'v2') {
    step('mount', cg.dirs[0].path, m.destination, '', k.MS_BIND | k.MS_REC, '', 0, 'd', remount & ~k.MS_BIND);
    return;
  }
  step('mount', 'tmpfs', m.destination, 'tmpfs', k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC, 'mode=755', 0, 'd', 0);
  for (const d of cg.dirs) {
    const name = hierarchyDirName(d.hierarchy);
    const dest = posix.join(m.destination, name);
    step('mount', d.path, dest, '', k.MS_BIND | k.MS_REC, '', 0, 'd', remount & ~k.MS_BIND);
    // Co-mounted controllers ("cpu,cpuacct") also get one symlink per name.
    if (name.includes(',')) for (const c of name.split(',')) step('symlink', name, posix.join(m.destination, c));
  }
  if (o.flags & k.MS_RDONLY) step('mount', '', m.destination, '', k.MS_BIND | k.MS_REMOUNT | k.MS_RDONLY | k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC, '', 0, 'd', 0);
}

/**
 * The order the helper runs a plan in, by step name, as `--trace` reports it:
 * pre-clone steps, joining namespaces, clone, the id maps, the init's steps.
 */
export function planOrder(plan: Plan): string[] {
  return [
    ...plan.preClone.map((s) => s.op),
    ...(plan.joins.length ? ['join_namespaces'] : []),
    'clone',
    ...(plan.idMap ? ['write_id_maps'] : []),
    ...plan.steps.map((s) => s.op),
  ];
}

// --stop-at can name a step up to the exec barrier: after it the channel to
// Node is closed (`create` has returned), so nobody would print where to look.
function pausableSteps(plan: Plan): string[] {
  const names: string[] = [];
  for (const s of plan.steps) {
    if (!names.includes(s.op)) names.push(s.op);
    if (s.op === 'exec_barrier' || s.op === 'report_ready') break;
  }
  return names;
}

export interface PlanEdits {
  /**
   * Debug and course tool (--debug-skip-step, docs/labs/): drop steps from
   * the plan to see what breaks. NAME drops every step of that name;
   * NAME:VALUE only those with an argument equal to VALUE (mount:/proc);
   * clone:TYPE creates no new TYPE namespace (clone:uts).
   */
  skip?: string[];
  /** --stop-at: the init pauses before the first step of this name. */
  stopAt?: string;
}

const uniq = (names: string[]) => [...new Set(names)];

/** The plan with the learner's edits; an edit that names nothing in it is refused. */
export function editPlan(plan: Plan, edits: PlanEdits): Plan {
  let out: Plan = { ...plan, clone: [...plan.clone], preClone: [...plan.preClone], steps: [...plan.steps] };
  for (const skip of edits.skip ?? []) out = skipStep(out, skip);
  if (edits.stopAt) {
    const valid = pausableSteps(out);
    if (!valid.includes(edits.stopAt)) {
      throw new SkiffError(`--stop-at ${edits.stopAt}: no such step before the exec barrier of this plan; valid steps: ${valid.join(', ')}`);
    }
    const at = out.steps.findIndex((s) => s.op === edits.stopAt);
    out.steps.splice(at, 0, { op: 'pause_before', args: [edits.stopAt] });
  }
  return out;
}

/** Steps Node takes itself (lifecycle.ts) that --debug-skip-step may also leave out. */
export const RUNTIME_SKIPPABLE = ['cgroup_add_process', 'cgroup_apply_resources'];

function skipStep(plan: Plan, skip: string): Plan {
  if (RUNTIME_SKIPPABLE.includes(skip)) return plan; // lifecycle.ts honours these
  const [op, value] = skip.includes(':') ? [skip.slice(0, skip.indexOf(':')), skip.slice(skip.indexOf(':') + 1)] : [skip, undefined];
  if (op === 'clone' && value !== undefined && plan.clone.includes(value)) {
    // The steps that act on a namespace would act on the host's without it.
    // Without a mount namespace every mount, and pivot_root, would be the
    // host's: refused. Without a uts namespace the hostname would be the
    // host's: set_hostname and set_domainname go with it.
    if (value === 'mount') throw new SkiffError('--debug-skip-step clone:mount is refused: the container\'s mounts and pivot_root would happen in the host\'s mount namespace');
    const hostnameSteps = value === 'uts' ? ['set_hostname', 'set_domainname'] : [];
    return { ...plan, clone: plan.clone.filter((t) => t !== value), steps: plan.steps.filter((s) => !hostnameSteps.includes(s.op)) };
  }
  const keep = (s: PlanStep) => !(s.op === op && (value === undefined || s.args.includes(value)));
  const steps = plan.steps.filter(keep);
  const preClone = plan.preClone.filter(keep);
  if (steps.length + preClone.length === plan.steps.length + plan.preClone.length) {
    const valid = uniq([...plan.preClone, ...plan.steps].map((s) => s.op)).concat(plan.clone.map((t) => `clone:${t}`), RUNTIME_SKIPPABLE);
    throw new SkiffError(`--debug-skip-step ${skip} matches no step of this plan; valid steps: ${valid.join(', ')} (NAME:VALUE matches one argument)`);
  }
  return { ...plan, steps, preClone };
}
