// skiff create [OPTIONS] IMAGE [COMMAND] [ARG...]: a container record from
// an image's config and the flags (pulled first if missing, as docker does).
// Starting it is the engine's next step (issue: containers).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SkiffError, kindOf } from '../../../errors.js';
import { parseSignal } from '../../../runtime/lifecycle.js';
import { resolveMounts } from '../../mounts.js';
import { portBindingsFrom, type NetworkConfig } from '../../networking.js';
import { NetworkStore } from '../../../network/store.js';
import type { ContainerStore } from '../../containers.js';
import { VolumeStore } from '../../volumes.js';
import { DEFAULT_HOST_CONFIG, type HostConfig, type RestartPolicyName } from '../../containers.js';
import { normalizeCapability } from '../../ocispec.js';
import { resolveImage } from '../../../image/images.js';
import { pull } from '../../../image/pull.js';
import { familiarString, parseReference } from '../../../image/reference.js';
import type { ImageRecord } from '../../../image/store.js';
import { progressFor } from '../../progress.js';
import { insecureRegistries } from '../pull.js';
import { containerStore, imageStore, type EngineGlobals } from '../../context.js';

export interface CreateFlags {
  name?: string; env: string[]; envFile?: string[]; workdir?: string; hostname?: string; user?: string; entrypoint?: string;
  label: string[]; tty?: boolean; interactive?: boolean;
  restart?: string; rm?: boolean; readOnly?: boolean; capAdd?: string[]; capDrop?: string[]; privileged?: boolean;
  init?: boolean; stopSignal?: string; stopTimeout?: string; memory?: string; cpus?: string; cpusetCpus?: string;
  pidsLimit?: string;
  volume?: string[]; mount?: string[]; tmpfs?: string[]; volumesFrom?: string[];
  network?: string; net?: string; networkAlias?: string[]; publish?: string[]; publishAll?: boolean; link?: string[]; expose?: string[];
  /** run without -d: stdin stays attached once (docker's StdinOnce). */
  stdinOnce?: boolean;
}

/** "512m", "1g", "100k", "1048576" -> bytes (docker's RAMInBytes units). */
export function parseBytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(v.trim());
  if (!m) throw new SkiffError(`invalid ${flag} ${JSON.stringify(v)}: use a size such as 512m or 1g`, 'invalid');
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()]!;
  return Math.round(Number(m[1]) * unit);
}

/** --restart no|always|unless-stopped|on-failure[:N]. */
export function parseRestartPolicy(v: string | undefined): HostConfig['RestartPolicy'] {
  if (v === undefined || v === 'no') return { Name: 'no', MaximumRetryCount: 0 };
  const m = /^(always|unless-stopped|on-failure)(?::(\d+))?$/.exec(v);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure'))
    throw new SkiffError(`invalid restart policy ${JSON.stringify(v)}: use no, always, unless-stopped or on-failure[:max-retries]`, 'invalid');
  return { Name: m[1] as RestartPolicyName, MaximumRetryCount: Number(m[2] ?? 0) };
}

function hostConfigFrom(f: CreateFlags): HostConfig {
  const restart = parseRestartPolicy(f.restart);
  if (f.rm && restart.Name !== 'no') throw new SkiffError('Conflicting options: --restart and --rm', 'invalid');
  const capAdd = (f.capAdd ?? []).map(normalizeCapability);
  const capDrop = (f.capDrop ?? []).map(normalizeCapability);
  const memory = f.memory !== undefined ? parseBytes(f.memory, '--memory') : 0;
  // The kernel needs room for the process and its page tables; docker says 6 MB.
  if (memory && memory < 6 * 1024 * 1024) throw new SkiffError('Minimum memory limit allowed is 6MB', 'invalid');
  let nanoCpus = 0;
  if (f.cpus !== undefined) {
    const cpus = Number(f.cpus);
    const host = availableParallelism();
    if (!Number.isFinite(cpus) || cpus <= 0 || cpus > host)
      throw new SkiffError(`range of CPUs is from 0.01 to ${host}.00, as there are only ${host} CPUs available`, 'invalid');
    nanoCpus = Math.round(cpus * 1e9);
  }
  if (f.cpusetCpus !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(f.cpusetCpus))
    throw new SkiffError(`invalid --cpuset-cpus ${JSON.stringify(f.cpusetCpus)}: use a list such as 0-1 or 0,2`, 'invalid');
  const pids = f.pidsLimit !== undefined ? Number(f.pidsLimit) : 0;
  if (!Number.isInteger(pids)) throw new SkiffError(`invalid --pids-limit ${JSON.stringify(f.pidsLimit)}: use a whole number`, 'invalid');
  return {
    ...DEFAULT_HOST_CONFIG, RestartPolicy: restart, AutoRemove: !!f.rm, ReadonlyRootfs: !!f.readOnly,
    Privileged: !!f.privileged, Init: !!f.init, CapAdd: capAdd, CapDrop: capDrop, Memory: memory, NanoCpus: nanoCpus,
    CpusetCpus: f.cpusetCpus ?? '', PidsLimit: pids,
  };
}

/** --network, -p, -P, --link, --network-alias, checked against what exists now (docker create does). */
function networkConfigFrom(g: EngineGlobals, f: CreateFlags, containers: ContainerStore): NetworkConfig {
  const mode = f.network ?? f.net ?? 'bridge';
  const aliases = f.networkAlias ?? [];
  if (mode.startsWith('container:')) containers.find(mode.slice('container:'.length));
  else if (!['bridge', 'default', 'none', 'host'].includes(mode) && !new NetworkStore(g.root).find(mode)) throw new SkiffError(`network ${mode} not found`, 'not-found');
  const custom = !['bridge', 'default', 'none', 'host'].includes(mode) && !mode.startsWith('container:');
  if (aliases.length && !custom) throw new SkiffError('network-scoped aliases are only supported for user-defined networks', 'invalid');
  const links = f.link ?? [];
  if (links.length && !['bridge', 'default'].includes(mode)) throw new SkiffError('--link is only supported on the default bridge network (on user networks, containers resolve each other by name)', 'invalid');
  for (const l of links) {
    const [name, alias] = l.split(':');
    if (!name || alias === '') throw new SkiffError(`invalid --link ${JSON.stringify(l)}: use name[:alias]`, 'invalid');
    containers.find(name);
  }
  const publish = f.publish ?? [];
  if ((publish.length || f.publishAll) && (mode === 'host' || mode === 'none' || mode.startsWith('container:')))
    throw new SkiffError(`conflicting options: port publishing and the network mode ${mode}`, 'invalid');
  return {
    NetworkMode: mode === 'default' ? 'bridge' : mode, PortBindings: portBindingsFrom(publish), PublishAllPorts: !!f.publishAll, Links: links,
    Networks: custom ? { [mode]: { Aliases: aliases } } : {},
  };
}

/** --env-file: KEY=value lines; "#" comments and blank lines skipped; a bare KEY takes the value from our environment. */
function readEnvFiles(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (err) { throw new SkiffError(`open ${file}: ${(err as NodeJS.ErrnoException).code}`); }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^\s+/, '');
      if (!line || line.startsWith('#')) continue;
      if (line.includes('=')) out.push(line);
      else if (process.env[line] !== undefined) out.push(`${line}=${process.env[line]}`);
    }
  }
  return out;
}

async function imageFor(g: EngineGlobals, name: string): Promise<ImageRecord> {
  const store = imageStore(g);
  try {
    return resolveImage(store, name);
  } catch (err) {
    if (kindOf(err) !== 'not-found') throw err;
    process.stderr.write(`Unable to find image '${familiarString(parseReference(name))}' locally\n`);
    const { record } = await pull(store, name, { insecure: insecureRegistries(g.root), progress: progressFor(process.stderr, false) });
    return record;
  }
}

export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    if (!e.includes('=')) throw new SkiffError(`invalid environment variable ${JSON.stringify(e)}: use KEY=value`, 'invalid');
    const key = e.slice(0, e.indexOf('='));
    const i = out.findIndex((x) => x.startsWith(key + '='));
    if (i >= 0) out[i] = e; else out.push(e);
  }
  return out;
}

export async function createContainer(g: EngineGlobals, image: string, command: string[], f: CreateFlags) {
  const img = await imageFor(g, image);
  const ic = (img.config.config ?? {}) as Record<string, unknown>;
  const entrypoint = f.entrypoint !== undefined ? (f.entrypoint ? [f.entrypoint] : []) : ((ic.Entrypoint as string[] | null) ?? []);
  // docker: --entrypoint resets the image's CMD unless a command is given.
  const cmd = command.length ? command : f.entrypoint !== undefined ? [] : ((ic.Cmd as string[] | null) ?? []);
  const argv = [...entrypoint, ...cmd];
  if (!argv.length) throw new SkiffError('no command specified', 'invalid');
  const labels = Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
  const hostConfig = hostConfigFrom(f);
  if (f.stopSignal !== undefined) parseSignal(f.stopSignal);
  const stopTimeout = f.stopTimeout !== undefined ? Number(f.stopTimeout) : undefined;
  if (stopTimeout !== undefined && !Number.isInteger(stopTimeout)) throw new SkiffError(`invalid --stop-timeout ${JSON.stringify(f.stopTimeout)}: use seconds`, 'invalid');
  // -e without "=" takes the value from our environment (docker run(1)).
  const env = [...readEnvFiles(f.envFile ?? []), ...f.env.map((e) => (e.includes('=') || process.env[e] === undefined ? e : `${e}=${process.env[e]}`))];
  const containers = containerStore(g);
  const volumes = new VolumeStore(g.root);
  const network = networkConfigFrom(g, f, containers);
  const exposed: Record<string, object> = { ...((ic.ExposedPorts as Record<string, object> | undefined) ?? {}) };
  for (const p of f.expose ?? []) exposed[/\//.test(p) ? p : `${p}/tcp`] = {};
  for (const p of Object.keys(network.PortBindings)) exposed[p] = {};
  const mountRequest = { volumes: f.volume ?? [], mounts: f.mount ?? [], tmpfs: f.tmpfs ?? [], volumesFrom: f.volumesFrom ?? [] };
  // Volumes are made (and --volumes-from looked up) once the name is ours, under the store's lock.
  return containers.create(f.name, async (id) => ({
    Mounts: await resolveMounts(mountRequest, { volumes, mountsOf: (name) => containers.find(name).Mounts ?? [] }),
    Network: network,
    Image: img.id,
    Created: new Date().toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Config: {
      Cmd: cmd, Entrypoint: entrypoint.length ? entrypoint : null,
      Env: mergeEnv((ic.Env as string[] | undefined) ?? [], env),
      WorkingDir: f.workdir ?? (ic.WorkingDir as string | undefined) ?? '',
      User: f.user ?? (ic.User as string | undefined) ?? '',
      Hostname: f.hostname ?? id.slice(0, 12),
      Labels: { ...((ic.Labels as Record<string, string> | undefined) ?? {}), ...labels },
      Tty: !!f.tty, OpenStdin: !!f.interactive, StdinOnce: !!f.stdinOnce, Image: image,
      StopSignal: f.stopSignal ?? (ic.StopSignal as string | undefined), StopTimeout: stopTimeout,
      ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    },
    HostConfig: hostConfig,
    RestartCount: 0,
    State: {
      Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: 0, ExitCode: 0, Error: '', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z',
    },
  }));
}

export async function createCommand(g: EngineGlobals, image: string, command: string[], f: CreateFlags): Promise<void> {
  const rec = await createContainer(g, image, command, f);
  process.stdout.write(rec.Id + '\n');
}
