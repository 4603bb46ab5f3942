// POST /containers/create: a container record from an image's config and
// the API's create request (what `docker create` sends). The checks the
// daemon makes happen here; parsing flags is the CLI's (commands/container/flags.ts).
// An image that is not in the store is a not-found error: pulling it first
// is the client's choice (the docker CLI and skiff's do, the API does not).
import { normalizeSecurityOpt } from '../../seccompProfile.js';
import { availableParallelism } from 'node:os';
import { SkiffError } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import { parseSignal } from '../../../runtime/index.js';
import type { ContainerCreateRequest, ContainerCreateResponse, HostConfigRequest } from '../../api-types.js';
import { DEFAULT_HOST_CONFIG, type ContainerRecord, type HostConfig, type NetworkConfig, type RestartPolicyName } from '../../containers.js';
import { resolveMounts } from '../../mounts.js';
import { normalizeCapability } from '../../ocispec.js';
import type { CoreContext } from '../context.js';

const BUILTIN_MODES = ['bridge', 'default', 'none', 'host'];

/** HostConfig -> the part of it skiff keeps, checked as dockerd checks it. */
function hostConfigFrom(h: HostConfigRequest): HostConfig {
  const restart = { Name: (h.RestartPolicy?.Name || 'no') as RestartPolicyName, MaximumRetryCount: h.RestartPolicy?.MaximumRetryCount ?? 0 };
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(restart.Name))
    throw new SkiffError(`invalid restart policy ${JSON.stringify(restart.Name)}: use no, always, unless-stopped or on-failure[:max-retries]`, 'invalid');
  if (restart.MaximumRetryCount && restart.Name !== 'on-failure')
    throw new SkiffError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`, 'invalid');
  if (h.AutoRemove && restart.Name !== 'no') throw new SkiffError('Conflicting options: --restart and --rm', 'invalid');
  const memory = h.Memory ?? 0;
  // The kernel needs room for the process and its page tables; docker says 6 MB.
  if (memory && memory < 6 * 1024 * 1024) throw new SkiffError('Minimum memory limit allowed is 6MB', 'invalid');
  const nanoCpus = h.NanoCpus ?? 0;
  const host = availableParallelism();
  if (nanoCpus < 0 || nanoCpus > host * 1e9)
    throw new SkiffError(`range of CPUs is from 0.01 to ${host}.00, as there are only ${host} CPUs available`, 'invalid');
  const cpuset = h.CpusetCpus ?? '';
  if (cpuset && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpuset))
    throw new SkiffError(`invalid --cpuset-cpus ${JSON.stringify(cpuset)}: use a list such as 0-1 or 0,2`, 'invalid');
  return {
    ...DEFAULT_HOST_CONFIG, RestartPolicy: restart, AutoRemove: !!h.AutoRemove, ReadonlyRootfs: !!h.ReadonlyRootfs,
    Privileged: !!h.Privileged, Init: !!h.Init, CapAdd: (h.CapAdd ?? []).map(normalizeCapability), CapDrop: (h.CapDrop ?? []).map(normalizeCapability),
    Memory: memory, NanoCpus: nanoCpus, CpusetCpus: cpuset, PidsLimit: h.PidsLimit ?? 0,
    SecurityOpt: (h.SecurityOpt ?? []).map((o) => normalizeSecurityOpt(o)),
  };
}

/** NetworkMode, PortBindings, Links and the endpoint's aliases, checked against what exists now (docker create does). */
function networkConfigFrom(ctx: CoreContext, req: ContainerCreateRequest): NetworkConfig {
  const h = req.HostConfig ?? {};
  const mode = !h.NetworkMode || h.NetworkMode === 'default' ? 'bridge' : h.NetworkMode;
  const aliases = req.NetworkingConfig?.EndpointsConfig?.[h.NetworkMode ?? 'default']?.Aliases ?? req.NetworkingConfig?.EndpointsConfig?.[mode]?.Aliases ?? [];
  if (mode.startsWith('container:')) ctx.containers.find(mode.slice('container:'.length));
  else if (!BUILTIN_MODES.includes(mode) && !ctx.networks.find(mode)) throw new SkiffError(`network ${mode} not found`, 'not-found');
  const custom = !BUILTIN_MODES.includes(mode) && !mode.startsWith('container:');
  if (aliases.length && !custom) throw new SkiffError('network-scoped aliases are only supported for user-defined networks', 'invalid');
  const links = h.Links ?? [];
  if (links.length && mode !== 'bridge') throw new SkiffError('--link is only supported on the default bridge network (on user networks, containers resolve each other by name)', 'invalid');
  for (const l of links) {
    const [name, alias] = l.split(':');
    if (!name || alias === '') throw new SkiffError(`invalid --link ${JSON.stringify(l)}: use name[:alias]`, 'invalid');
    ctx.containers.find(name);
  }
  const bindings = h.PortBindings ?? {};
  if ((Object.keys(bindings).length || h.PublishAllPorts) && (mode === 'host' || mode === 'none' || mode.startsWith('container:')))
    throw new SkiffError(`conflicting options: port publishing and the network mode ${mode}`, 'invalid');
  return {
    NetworkMode: mode, PortBindings: JSON.parse(JSON.stringify(bindings)), PublishAllPorts: !!h.PublishAllPorts, Links: links,
    Networks: custom ? { [mode]: { Aliases: aliases } } : {},
  };
}

/** Docker's environment merge: a variable from the request replaces the image's of the same name. */
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

export interface CreateOptions {
  /** ?name= : unique; generated (adjective_scientist) when absent. */
  name?: string;
}

export async function containerCreate(ctx: CoreContext, req: ContainerCreateRequest, o: CreateOptions = {}): Promise<ContainerCreateResponse & { record: ContainerRecord }> {
  if (!req.Image) throw new SkiffError('no image given: Image is required', 'invalid');
  const img = resolveImage(ctx.images, req.Image);
  const ic = (img.config.config ?? {}) as Record<string, unknown>;
  // dockerd's merge: an entrypoint in the request replaces the image's and
  // its CMD (unless a command is given too); [""] means none at all.
  const resetEntrypoint = req.Entrypoint != null;
  const entrypoint = resetEntrypoint ? req.Entrypoint!.filter((s, i) => !(i === 0 && s === '' && req.Entrypoint!.length === 1)) : ((ic.Entrypoint as string[] | null) ?? []);
  const cmd = req.Cmd?.length ? req.Cmd : resetEntrypoint ? [] : ((ic.Cmd as string[] | null) ?? []);
  const argv = [...entrypoint, ...cmd];
  if (!argv.length) throw new SkiffError('no command specified', 'invalid');
  const hostConfig = hostConfigFrom(req.HostConfig ?? {});
  if (req.StopSignal) parseSignal(req.StopSignal);
  const network = networkConfigFrom(ctx, req);
  const exposed: Record<string, object> = { ...((ic.ExposedPorts as Record<string, object> | undefined) ?? {}), ...(req.ExposedPorts ?? {}) };
  for (const p of Object.keys(network.PortBindings)) exposed[p] = {};
  const h = req.HostConfig ?? {};
  const imageVolumes = (ic.Volumes as Record<string, object> | null | undefined) ?? {};
  const mountRequest = {
    binds: h.Binds ?? [], anonymous: Object.keys(req.Volumes ?? {}), mounts: h.Mounts ?? [], tmpfs: h.Tmpfs ?? {}, volumesFrom: h.VolumesFrom ?? [],
    imageVolumes: Object.keys(imageVolumes),
  };
  const env = mergeEnv((ic.Env as string[] | undefined) ?? [], req.Env ?? []);
  // Volumes are made (and --volumes-from looked up) once the name is ours, under the store's lock.
  const record = await ctx.containers.create(o.name, async (id) => ({
    Mounts: await resolveMounts(mountRequest, { volumes: ctx.volumes, mountsOf: (name) => ctx.containers.find(name).Mounts ?? [] }),
    Network: network,
    Image: img.id,
    Created: new Date().toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Config: {
      Cmd: cmd, Entrypoint: entrypoint.length ? entrypoint : null,
      Env: env,
      WorkingDir: req.WorkingDir || (ic.WorkingDir as string | undefined) || '',
      User: req.User || (ic.User as string | undefined) || '',
      Hostname: req.Hostname || id.slice(0, 12),
      Labels: { ...((ic.Labels as Record<string, string> | undefined) ?? {}), ...(req.Labels ?? {}) },
      Tty: !!req.Tty, OpenStdin: !!req.OpenStdin, StdinOnce: !!req.StdinOnce, Image: req.Image,
      StopSignal: req.StopSignal || (ic.StopSignal as string | undefined), StopTimeout: req.StopTimeout ?? undefined,
      ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
      Volumes: Object.keys(imageVolumes).length ? imageVolumes : null,
    },
    HostConfig: hostConfig,
    RestartCount: 0,
    State: {
      Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: 0, ExitCode: 0, Error: '', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z',
    },
  }));
  return { Id: record.Id, Warnings: [], record };
}
