// The OCI runtime spec (config.json) as skiff-runtime reads it, and its
// validation. Validation happens here, in TypeScript, so the planner and the
// C++ side can trust their input (the idea of sharp's lib/is.mjs). Every
// message names the field that is wrong.
// Reference: https://github.com/opencontainers/runtime-spec/blob/main/config.md
import { readFileSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { SkiffError } from '../errors.js';
import { validateCapabilities, validateSeccomp, type Seccomp } from './security.js';
import { validateResources, type Resources } from '../cgroups/resources.js';
import { validateHooks, type Hooks } from './hooks.js';

export interface IdMapping { containerID: number; hostID: number; size: number }
export interface Rlimit { type: string; soft: number; hard: number }
export interface Mount { destination: string; type?: string; source?: string; options?: string[] }
export interface Namespace { type: string; path?: string }
export interface Device {
  type: string; path: string; major?: number; minor?: number; fileMode?: number; uid?: number; gid?: number;
}
export interface Process {
  terminal?: boolean;
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  capabilities?: Record<string, string[]>;
  apparmorProfile?: string;
  selinuxLabel?: string;
}
export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  devices?: Device[];
  cgroupsPath?: string;
  resources?: Resources;
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  sysctl?: Record<string, string>;
  seccomp?: Seccomp;
}
export interface Spec {
  ociVersion: string;
  process?: Process;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
}

export const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;

const RLIMIT_TYPES = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
];

const PROPAGATIONS = ['', 'private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'];

function bad(field: string, what: string): never {
  throw new SkiffError(`config.json: ${field ? field + ' ' : ''}${what}`);
}

// runc's checkProcMount (libcontainer/rootfs_linux.go): a mount inside /proc
// could hide what the kernel shows there from the runtime's own later
// steps: a tmpfs over /proc/self/attr made runc's AppArmor label a no-op
// (CVE-2019-16884), and a fake /proc over-mounts its sysctl and label
// writes (CVE-2019-19921). Only the files lxcfs emulates may be mounted
// there, and /proc itself only as a proc filesystem.
const LXCFS_PROC_FILES = ['/proc/cpuinfo', '/proc/diskstats', '/proc/meminfo', '/proc/stat', '/proc/swaps', '/proc/uptime',
  '/proc/loadavg', '/proc/slabinfo', '/proc/net/dev', '/proc/sys/kernel/ns_last_pid'];

function checkProcMount(m: Mount, i: number): void {
  const dest = posix.normalize(m.destination).replace(/(.)\/+$/, '$1');
  if (dest === '/proc') {
    if (m.type !== 'proc' && !(m.source && posix.normalize(m.source).replace(/\/+$/, '') === '/proc'))
      bad(`mounts[${i}].destination`, `/proc cannot be mounted because it is not of type proc`);
  } else if (dest.startsWith('/proc/') && !LXCFS_PROC_FILES.includes(dest)) {
    bad(`mounts[${i}].destination`, `${dest} cannot be mounted because it is inside /proc`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkUint32(v: unknown, field: string): void {
  if (!isUint32(v)) bad(field, 'must be an integer from 0 to 4294967295');
}

function checkStrings(v: unknown, field: string): void {
  if (v !== undefined && !isStringArray(v)) bad(field, 'must be an array of strings');
}

function checkAbsolute(v: unknown, field: string): void {
  if (typeof v !== 'string' || !isAbsolute(v)) bad(field, `must be an absolute path (got ${JSON.stringify(v)})`);
  // Strings reach C++ as NUL-terminated fields of the plan.
  if ((v as string).includes('\0')) bad(field, 'must not contain a NUL byte');
}

function checkIdMappings(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) bad(field, 'must be an array');
  v.forEach((m, i) => {
    if (!isObject(m)) bad(`${field}[${i}]`, 'must be an object');
    checkUint32(m.containerID, `${field}[${i}].containerID`);
    checkUint32(m.hostID, `${field}[${i}].hostID`);
    checkUint32(m.size, `${field}[${i}].size`);
    if (m.size === 0) bad(`${field}[${i}].size`, 'must be at least 1');
  });
}

function checkProcess(p: unknown, field = 'process'): asserts p is Process {
  if (!isObject(p)) bad(field, 'must be an object');
  if (!isStringArray(p.args) || p.args.length === 0 || p.args[0] === '') bad(`${field}.args`, 'must be a non-empty array of strings');
  if (p.args.some((a) => a.includes('\0'))) bad(`${field}.args`, 'must not contain NUL bytes');
  checkAbsolute(p.cwd, `${field}.cwd`);
  if (!isObject(p.user)) bad(`${field}.user`, 'must be an object with uid and gid');
  checkUint32(p.user.uid, `${field}.user.uid`);
  checkUint32(p.user.gid, `${field}.user.gid`);
  if (p.user.umask !== undefined) {
    if (!Number.isInteger(p.user.umask) || (p.user.umask as number) < 0 || (p.user.umask as number) > 0o777)
      bad(`${field}.user.umask`, 'must be an integer from 0 to 0777');
  }
  if (p.user.additionalGids !== undefined) {
    if (!Array.isArray(p.user.additionalGids)) bad(`${field}.user.additionalGids`, 'must be an array');
    p.user.additionalGids.forEach((g, i) => checkUint32(g, `${field}.user.additionalGids[${i}]`));
  }
  checkStrings(p.env, `${field}.env`);
  (p.env as string[] | undefined)?.forEach((e, i) => {
    if (!e.includes('=') || e.startsWith('=')) bad(`${field}.env[${i}]`, `must be KEY=value (got ${JSON.stringify(e)})`);
    if (e.includes('\0')) bad(`${field}.env[${i}]`, 'must not contain a NUL byte');
  });
  if (p.terminal !== undefined && typeof p.terminal !== 'boolean') bad(`${field}.terminal`, 'must be a boolean');
  validateCapabilities(p.capabilities, `${field}.capabilities`);
  if (p.noNewPrivileges !== undefined && typeof p.noNewPrivileges !== 'boolean') bad(`${field}.noNewPrivileges`, 'must be a boolean');
  if (p.oomScoreAdj !== undefined && (!Number.isInteger(p.oomScoreAdj) || (p.oomScoreAdj as number) < -1000 || (p.oomScoreAdj as number) > 1000))
    bad(`${field}.oomScoreAdj`, 'must be an integer from -1000 to 1000');
  if (p.rlimits !== undefined) {
    if (!Array.isArray(p.rlimits)) bad(`${field}.rlimits`, 'must be an array');
    const seen = new Set<string>();
    p.rlimits.forEach((r, i) => {
      if (!isObject(r) || typeof r.type !== 'string' || !RLIMIT_TYPES.includes(r.type))
        bad(`${field}.rlimits[${i}].type`, `must be one of ${RLIMIT_TYPES.join(', ')}`);
      if (seen.has(r.type)) bad(`${field}.rlimits[${i}].type`, `repeats ${r.type}`);
      seen.add(r.type);
      for (const k of ['soft', 'hard'] as const) {
        if (!Number.isInteger(r[k]) || (r[k] as number) < 0) bad(`${field}.rlimits[${i}].${k}`, 'must be a non-negative integer');
      }
      if ((r.soft as number) > (r.hard as number)) bad(`${field}.rlimits[${i}]`, 'soft limit is above the hard limit');
    });
  }
}

function checkLinux(l: unknown, spec: Record<string, unknown>): void {
  if (l === undefined) return;
  if (!isObject(l)) bad('linux', 'must be an object');
  const types = new Set<string>();
  if (l.namespaces !== undefined) {
    if (!Array.isArray(l.namespaces)) bad('linux.namespaces', 'must be an array');
    l.namespaces.forEach((ns, i) => {
      if (!isObject(ns) || !NAMESPACE_TYPES.includes(ns.type as never))
        bad(`linux.namespaces[${i}].type`, `must be one of ${NAMESPACE_TYPES.join(', ')}`);
      if (types.has(ns.type as string)) bad(`linux.namespaces[${i}]`, `repeats the ${ns.type} namespace`);
      types.add(ns.type as string);
      if (ns.path !== undefined) checkAbsolute(ns.path, `linux.namespaces[${i}].path`);
    });
  }
  checkIdMappings(l.uidMappings, 'linux.uidMappings');
  checkIdMappings(l.gidMappings, 'linux.gidMappings');
  const newUserns = (l.namespaces as Namespace[] | undefined)?.some((n) => n.type === 'user' && !n.path);
  if (newUserns && (!(l.uidMappings as unknown[])?.length || !(l.gidMappings as unknown[])?.length))
    bad('linux.uidMappings', 'and linux.gidMappings are required with a new user namespace');
  if (!newUserns && ((l.uidMappings as unknown[])?.length || (l.gidMappings as unknown[])?.length))
    bad('linux.uidMappings', 'need a new user namespace in linux.namespaces');
  if (l.cgroupsPath !== undefined && (typeof l.cgroupsPath !== 'string' || l.cgroupsPath.split('/').includes('..')))
    bad('linux.cgroupsPath', 'must be a path without ".." components');
  if (l.rootfsPropagation !== undefined && !PROPAGATIONS.includes(l.rootfsPropagation as string))
    bad('linux.rootfsPropagation', `must be one of ${PROPAGATIONS.filter(Boolean).join(', ')}`);
  for (const key of ['maskedPaths', 'readonlyPaths'] as const) {
    checkStrings(l[key], `linux.${key}`);
    (l[key] as string[] | undefined)?.forEach((p, i) => checkAbsolute(p, `linux.${key}[${i}]`));
  }
  if (l.devices !== undefined) {
    if (!Array.isArray(l.devices)) bad('linux.devices', 'must be an array');
    l.devices.forEach((d, i) => {
      if (!isObject(d)) bad(`linux.devices[${i}]`, 'must be an object');
      checkAbsolute(d.path, `linux.devices[${i}].path`);
      if (!['c', 'b', 'u', 'p'].includes(d.type as string)) bad(`linux.devices[${i}].type`, 'must be c, b, u or p');
      if (d.type !== 'p') {
        checkUint32(d.major, `linux.devices[${i}].major`);
        checkUint32(d.minor, `linux.devices[${i}].minor`);
      }
      if (d.fileMode !== undefined) checkUint32(d.fileMode, `linux.devices[${i}].fileMode`);
    });
  }
  validateSeccomp(l.seccomp);
  try {
    validateResources(l.resources);
  } catch (err) {
    bad('', (err as Error).message);
  }
  if (l.sysctl !== undefined) {
    if (!isObject(l.sysctl) || Object.values(l.sysctl).some((v) => typeof v !== 'string')) bad('linux.sysctl', 'must map names to string values');
  }
  if ((spec.hostname !== undefined && spec.hostname !== '') && !types.has('uts'))
    bad('hostname', 'needs a new uts namespace (linux.namespaces has none)');
}

/** Validates a parsed config.json; returns it typed. */
export function validateSpec(raw: unknown, needProcess = true): Spec {
  if (!isObject(raw)) bad('', 'must hold a JSON object');
  if (typeof raw.ociVersion !== 'string') bad('ociVersion', 'must be a string');
  if (!isObject(raw.root) || typeof raw.root.path !== 'string' || raw.root.path === '')
    bad('root.path', 'must be a non-empty string');
  if (raw.root.readonly !== undefined && typeof raw.root.readonly !== 'boolean') bad('root.readonly', 'must be a boolean');
  if (raw.process === undefined) {
    if (needProcess) bad('process', 'is required');
  } else {
    checkProcess(raw.process);
  }
  for (const key of ['hostname', 'domainname'] as const) {
    const v = raw[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > 64 || v.includes('\0')))
      bad(key, 'must be a string of at most 64 characters');
  }
  if (raw.mounts !== undefined) {
    if (!Array.isArray(raw.mounts)) bad('mounts', 'must be an array');
    raw.mounts.forEach((m, i) => {
      if (!isObject(m)) bad(`mounts[${i}]`, 'must be an object');
      checkAbsolute(m.destination, `mounts[${i}].destination`);
      if (m.type !== undefined && typeof m.type !== 'string') bad(`mounts[${i}].type`, 'must be a string');
      if (m.source !== undefined && typeof m.source !== 'string') bad(`mounts[${i}].source`, 'must be a string');
      checkStrings(m.options, `mounts[${i}].options`);
      checkProcMount(m as unknown as Mount, i);
    });
  }
  if (raw.annotations !== undefined && !isObject(raw.annotations)) bad('annotations', 'must be an object');
  validateHooks(raw.hooks);
  checkLinux(raw.linux, raw);
  return raw as unknown as Spec;
}

/** Reads and validates <bundle>/config.json. */
export function loadSpec(bundle: string): Spec {
  const path = join(bundle, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SkiffError(`bundle ${bundle}: config.json not found`, 'not-found');
    throw new SkiffError(`read ${path}: ${code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SkiffError(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  return validateSpec(raw);
}
