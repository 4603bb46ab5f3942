// `create` and `run` flags -> the Docker Engine API's create request, the
// same one the docker CLI v28 sends for the same flags (cli/command/container/opts.go):
// -m 512m -> HostConfig.Memory 536870912, -p -> PortBindings and ExposedPorts,
// -v SRC:DST -> HostConfig.Binds, -v /path -> Config.Volumes, --mount ->
// HostConfig.Mounts, --restart -> RestartPolicy, -e -> Env, ... What the
// docker CLI checks itself (sizes, numbers, the --mount syntax, env files)
// is checked here; the rest is the engine's (core/containers/create.ts).
// test/unit/flags.test.ts compares the result with what docker sends.
import { readFileSync } from 'node:fs';
import { SkiffError } from '../../../errors.js';
import type { ContainerCreateRequest, HostConfigRequest, RestartPolicy } from '../../api-types.js';
import { absoluteBindSources, parseMountSpec, ramInBytes } from '../../mounts.js';
import { normalizeSecurityOpt } from '../../seccompProfile.js';
import { portBindingsFrom } from '../../networking.js';

export interface CreateFlags {
  name?: string; env: string[]; envFile?: string[]; workdir?: string; hostname?: string; user?: string; entrypoint?: string;
  label: string[]; tty?: boolean; interactive?: boolean;
  restart?: string; rm?: boolean; readOnly?: boolean; capAdd?: string[]; capDrop?: string[]; privileged?: boolean;
  init?: boolean; stopSignal?: string; stopTimeout?: string; memory?: string; cpus?: string; cpusetCpus?: string;
  pidsLimit?: string; securityOpt?: string[];
  volume?: string[]; mount?: string[]; tmpfs?: string[]; volumesFrom?: string[];
  network?: string; net?: string; networkAlias?: string[]; publish?: string[]; publishAll?: boolean; link?: string[]; expose?: string[];
  /** run -d: nothing is attached. */
  detach?: boolean;
}

/** "512m", "1g", "100k", "1048576" -> bytes (docker's RAMInBytes units). */
export function parseBytes(v: string, flag: string): number {
  return ramInBytes(v, flag);
}

/** --restart no|always|unless-stopped|on-failure[:N]. */
export function parseRestartPolicy(v: string | undefined): RestartPolicy {
  if (v === undefined || v === 'no') return { Name: 'no', MaximumRetryCount: 0 };
  const m = /^(always|unless-stopped|on-failure)(?::(\d+))?$/.exec(v);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure'))
    throw new SkiffError(`invalid restart policy ${JSON.stringify(v)}: use no, always, unless-stopped or on-failure[:max-retries]`, 'invalid');
  return { Name: m[1] as RestartPolicy['Name'], MaximumRetryCount: Number(m[2] ?? 0) };
}

/**
 * --security-opt seccomp=PROFILE.json: the docker CLI reads the file and
 * sends its text (the file may be gone by the time of start). Every option
 * is checked now, the profile in the file's name (seccompProfile.ts).
 */
export function parseSecurityOpts(opts: readonly string[]): string[] {
  return opts.map((opt) => {
    const m = /^seccomp[=:]([^]*)$/.exec(opt);
    if (!m || m[1] === 'unconfined') return normalizeSecurityOpt(opt);
    let text: string;
    try {
      text = readFileSync(m[1], 'utf8');
    } catch (err) {
      throw new SkiffError(`opening seccomp profile (${m[1]}) failed: ${(err as NodeJS.ErrnoException).code}`, 'invalid');
    }
    return normalizeSecurityOpt(`seccomp=${text}`, m[1]);
  });
}

/** --env-file: KEY=value lines; "#" comments and blank lines skipped; a bare KEY takes the value from `environ`. */
function readEnvFiles(files: string[], environ: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const file of files) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (err) { throw new SkiffError(`open ${file}: ${(err as NodeJS.ErrnoException).code}`, 'invalid'); }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^\s+/, '');
      if (!line || line.startsWith('#')) continue;
      if (line.includes('=')) out.push(line);
      else if (environ[line] !== undefined) out.push(`${line}=${environ[line]}`);
    }
  }
  return out;
}

/** docker's CAP_ prefix: the CLI sends capabilities in their full, upper-case names. */
const capName = (c: string) => (c.toUpperCase() === 'ALL' ? 'ALL' : c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`);

/** The docker CLI's list (opts.EffectiveCapAddCapDrop): full names, once each, sorted, ALL first. */
function capList(caps: string[] | undefined): string[] {
  const names = [...new Set((caps ?? []).map(capName))].sort();
  return names.includes('ALL') ? ['ALL', ...names.filter((n) => n !== 'ALL')] : names;
}

function hostConfigFrom(f: CreateFlags, cwd: string): HostConfigRequest {
  const restart = parseRestartPolicy(f.restart);
  let nanoCpus = 0;
  if (f.cpus !== undefined) {
    const cpus = Number(f.cpus);
    if (!Number.isFinite(cpus)) throw new SkiffError(`invalid argument ${JSON.stringify(f.cpus)} for "--cpus" flag: use a number`, 'invalid');
    nanoCpus = Math.round(cpus * 1e9);
  }
  let pids: number | undefined;
  if (f.pidsLimit !== undefined) {
    pids = Number(f.pidsLimit);
    if (!Number.isInteger(pids)) throw new SkiffError(`invalid --pids-limit ${JSON.stringify(f.pidsLimit)}: use a whole number`, 'invalid');
  }
  // docker CLI 23+: a -v source starting with "." is relative to the working directory.
  const volumes = absoluteBindSources(f.volume ?? [], cwd);
  const tmpfs = Object.fromEntries((f.tmpfs ?? []).map((t) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; }));
  const h: HostConfigRequest = {
    // -v with a source is a bind or a named volume; -v /path alone is Config.Volumes.
    Binds: volumes.filter((v) => v.split(':').length > 1),
    NetworkMode: f.network ?? f.net ?? 'default',
    PortBindings: portBindingsFrom(f.publish ?? []),
    RestartPolicy: restart,
    AutoRemove: !!f.rm,
    VolumesFrom: f.volumesFrom ?? [],
    CapAdd: capList(f.capAdd),
    CapDrop: capList(f.capDrop),
    Links: f.link ?? [],
    Privileged: !!f.privileged,
    PublishAllPorts: !!f.publishAll,
    ReadonlyRootfs: !!f.readOnly,
    Memory: f.memory !== undefined ? parseBytes(f.memory, '--memory') : 0,
    NanoCpus: nanoCpus,
    CpusetCpus: f.cpusetCpus ?? '',
    PidsLimit: pids ?? 0,
    SecurityOpt: parseSecurityOpts(f.securityOpt ?? []),
    Mounts: (f.mount ?? []).map(parseMountSpec),
    Tmpfs: tmpfs,
  };
  if (f.init) h.Init = true;
  return h;
}

/**
 * The create request for `create`/`run` flags. `environ` is the caller's
 * environment: `-e KEY` and env-file lines without "=" take their values from
 * it; `cwd` its directory, which -v ./dir is relative to.
 */
export function createRequestFromFlags(image: string, command: string[], f: CreateFlags, environ: Record<string, string | undefined>, cwd = '/'): ContainerCreateRequest {
  let stopTimeout: number | undefined;
  if (f.stopTimeout !== undefined) {
    stopTimeout = Number(f.stopTimeout);
    if (!Number.isInteger(stopTimeout)) throw new SkiffError(`invalid --stop-timeout ${JSON.stringify(f.stopTimeout)}: use seconds`, 'invalid');
  }
  // -e without "=" takes the value from our environment (docker run(1)); a KEY we do not have is passed as is.
  const env = [...readEnvFiles(f.envFile ?? [], environ), ...f.env.map((e) => (e.includes('=') || environ[e] === undefined ? e : `${e}=${environ[e]}`))];
  const hostConfig = hostConfigFrom(f, cwd);
  const exposed: Record<string, object> = {};
  for (const p of f.expose ?? []) exposed[/\//.test(p) ? p : `${p}/tcp`] = {};
  for (const p of Object.keys(hostConfig.PortBindings ?? {})) exposed[p] = {};
  const mode = hostConfig.NetworkMode!;
  const attach = !f.detach; // create and run without -d: stdout and stderr attached (docker sets these for both)
  const req: ContainerCreateRequest = {
    Hostname: f.hostname ?? '',
    User: f.user ?? '',
    AttachStdin: attach && !!f.interactive,
    AttachStdout: attach,
    AttachStderr: attach,
    Tty: !!f.tty,
    OpenStdin: !!f.interactive,
    // docker: with stdin attached, it is closed after the first attach ends.
    StdinOnce: attach && !!f.interactive,
    Env: env,
    Cmd: command.length ? command : null,
    Image: image,
    Volumes: Object.fromEntries((f.volume ?? []).filter((v) => v.split(':').length === 1).map((v) => [v, {}])),
    WorkingDir: f.workdir ?? '',
    Entrypoint: f.entrypoint !== undefined ? [f.entrypoint] : null,
    Labels: Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : ''])),
    HostConfig: hostConfig,
    NetworkingConfig: {
      EndpointsConfig: {
        [mode]: { Aliases: f.networkAlias?.length ? f.networkAlias : null, Links: hostConfig.Links?.length && mode !== 'default' && mode !== 'bridge' ? hostConfig.Links : null },
      },
    },
  };
  if (Object.keys(exposed).length) req.ExposedPorts = exposed;
  if (f.stopSignal !== undefined) req.StopSignal = f.stopSignal;
  if (stopTimeout !== undefined) req.StopTimeout = stopTimeout;
  return req;
}
