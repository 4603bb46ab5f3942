// skiff system df [-v] [--format T], system prune [-a] [--volumes] [-f],
// info / system info [--format T], version [--format T], and search (which
// skiff does not have: there is no Docker Hub to ask).
import { ago, bytesSize, humanSize } from '../../util/human.js';
import { confirmOrForce } from '../../util/prompt.js';
import { formatList, renderTemplate } from '../../util/template.js';
import type { EngineGlobals } from '../context.js';
import type { DiskUsage } from '../core/system/df.js';
import type { SystemInfo } from '../core/system/info.js';
import { SKIFF_VERSION as ENGINE_VERSION } from '../core/system/version.js';
import { cliEngine } from './engine.js';
import { filterFlags, pruneMatcher } from '../core/pruneFilter.js';
import { SkiffError } from '../../errors.js';
import { containersPruneText, imagesPruneText, networksPruneText, reclaimedText, systemPruneWarning, volumesPruneText } from './pruneText.js';

const humanSize4 = (bytes: number) => humanSize(bytes, 4); // go-units HumanSize, as docker system df

const reclaimable = (bytes: number, total: number) => (total > 0 ? `${humanSize4(bytes)} (${Math.floor((bytes * 100) / total)}%)` : humanSize4(bytes));

/** docker/cli formatter/disk_usage.go: one row per kind. */
function dfRows(du: DiskUsage) {
  const usedImages = du.Images.filter((i) => i.Containers > 0);
  const imagesUsed = usedImages.reduce((s, i) => s + i.Size - i.SharedSize, 0);
  const ctrSize = du.Containers.reduce((s, c) => s + c.SizeRw, 0);
  const ctrReclaim = du.Containers.filter((c) => c.State !== 'running' && c.State !== 'paused').reduce((s, c) => s + c.SizeRw, 0);
  const volSize = du.Volumes.reduce((s, v) => s + v.UsageData.Size, 0);
  const volReclaim = du.Volumes.filter((v) => v.UsageData.RefCount === 0).reduce((s, v) => s + v.UsageData.Size, 0);
  return [
    { Type: 'Images', TotalCount: String(du.Images.length), Active: String(usedImages.length), Size: humanSize4(du.LayersSize), Reclaimable: reclaimable(du.LayersSize - imagesUsed, du.LayersSize) },
    { Type: 'Containers', TotalCount: String(du.Containers.length), Active: String(du.Containers.filter((c) => c.State === 'running').length), Size: humanSize4(ctrSize), Reclaimable: reclaimable(ctrReclaim, ctrSize) },
    { Type: 'Local Volumes', TotalCount: String(du.Volumes.length), Active: String(du.Volumes.filter((v) => v.UsageData.RefCount > 0).length), Size: humanSize4(volSize), Reclaimable: reclaimable(volReclaim, volSize) },
    { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
  ];
}

const DF_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const DF_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';

/** df -v: docker's four sections, each its own table. */
function dfVerbose(du: DiskUsage): string {
  const images = du.Images.flatMap((i) => (i.RepoTags.length ? i.RepoTags : ['<none>:<none>']).map((t) => ({
    Repository: t.slice(0, t.lastIndexOf(':')), Tag: t.slice(t.lastIndexOf(':') + 1), ID: i.Id.slice(7, 19),
    CreatedSince: ago(new Date(i.Created * 1000).toISOString()), Size: humanSize(i.Size), SharedSize: humanSize(i.SharedSize),
    UniqueSize: humanSize(i.Size - i.SharedSize), Containers: String(i.Containers),
  })));
  const containers = du.Containers.map((c) => {
    const cmd = c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command;
    return {
      ID: c.Id.slice(0, 12), Image: c.Image, Command: `"${cmd}"`, LocalVolumes: String(c.LocalVolumes), Size: humanSize(c.SizeRw),
      RunningFor: ago(new Date(c.Created * 1000).toISOString()), Status: c.Status, Names: c.Names.map((n) => n.slice(1)).join(','),
    };
  });
  const volumes = du.Volumes.map((v) => ({ Name: v.Name, Links: String(v.UsageData.RefCount), Size: humanSize(v.UsageData.Size) }));
  return 'Images space usage:\n\n'
    + formatList('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}', images,
      { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' })
    + '\nContainers space usage:\n\n'
    + formatList('table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}', containers,
      { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS', Names: 'NAMES' })
    + '\nLocal Volumes space usage:\n\n'
    + formatList('table {{.Name}}\t{{.Links}}\t{{.Size}}', volumes, { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' })
    + '\nBuild cache usage: 0B\n\n'
    + formatList('table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}', [],
      { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' });
}

export async function systemDfCommand(g: EngineGlobals, f: { verbose?: boolean; format?: string }): Promise<void> {
  const du = await cliEngine(g).systemDf();
  if (f.verbose && !f.format) { process.stdout.write(dfVerbose(du)); return; }
  // df -v --format: the template sees the whole disk usage (docker's verbose context).
  if (f.verbose) { process.stdout.write(renderTemplate(f.format === 'json' ? '{{json .}}' : f.format!, du) + '\n'); return; }
  process.stdout.write(formatList(f.format ?? DF_TABLE, dfRows(du), DF_HEADERS, DF_TABLE));
}

/** system prune: containers, networks, (volumes), images, in docker's order, then the total. */
export async function systemPruneCommand(g: EngineGlobals, f: { all?: boolean; volumes?: boolean; force?: boolean; filter?: string[] }): Promise<void> {
  const filters = filterFlags(f.filter);
  pruneMatcher(filters); // a bad filter fails before the question
  // docker/cli system/prune.go: volumes have no until (moby refuses it for them).
  if (f.volumes && filters.until) throw new SkiffError('the "until" filter is not supported with "--volumes"', 'invalid');
  if (!(await confirmOrForce({ force: f.force, command: 'system prune', warning: systemPruneWarning(f) }))) return;
  const core = cliEngine(g);
  const containers = await core.containerPrune({ filters });
  process.stdout.write(containersPruneText(containers));
  process.stdout.write(networksPruneText(await core.networkPrune({ filters })));
  const volumes = f.volumes ? await core.volumePrune({ filters }) : undefined;
  if (volumes) process.stdout.write(volumesPruneText(volumes));
  const images = await core.imagePrune({ all: f.all, filters });
  process.stdout.write(imagesPruneText(images));
  process.stdout.write(reclaimedText(containers.SpaceReclaimed + (volumes?.SpaceReclaimed ?? 0) + images.SpaceReclaimed));
}

/** docker info's text, for the fields skiff has. */
function infoText(i: SystemInfo, g: EngineGlobals): string {
  return [
    'Client:', ` Version:    ${ENGINE_VERSION}`, ' Context:    default', ` Debug Mode: ${g.debug}`, '',
    'Server:',
    ` Containers: ${i.Containers}`, `  Running: ${i.ContainersRunning}`, `  Paused: ${i.ContainersPaused}`, `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`, ...i.DriverStatus.map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ' Plugins:', `  Volume: ${i.Plugins.Volume.join(' ')}`, `  Network: ${i.Plugins.Network.join(' ')}`, `  Log: ${i.Plugins.Log.join(' ')}`,
    ` Swarm: ${i.Swarm.LocalNodeState}`,
    ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}`, ` Default Runtime: ${i.DefaultRuntime}`,
    ` Init Binary: ${i.InitBinary}`,
    ' Security Options:', ...i.SecurityOptions.flatMap((o) => {
      const [name, ...rest] = o.replace(/^name=/, '').split(',');
      return [`  ${name}`, ...rest.map((r) => `   ${r.replace(/^profile=/, 'Profile: ')}`)];
    }),
    ` Kernel Version: ${i.KernelVersion}`, ` Operating System: ${i.OperatingSystem}`, ` OSType: ${i.OSType}`, ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`, ` Total Memory: ${bytesSize(i.MemTotal)}`, ` Name: ${i.Name}`, ` ID: ${i.ID}`,
    ` Docker Root Dir: ${i.DockerRootDir}`, ` Debug Mode: ${i.Debug}`, ` Experimental: ${i.ExperimentalBuild}`,
    ' Insecure Registries:', ...i.RegistryConfig.InsecureRegistryCIDRs.map((r) => `  ${r}`),
    ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
    ...(!i.MemoryLimit ? ['WARNING: No memory limit support'] : []),
    ...(!i.SwapLimit ? ['WARNING: No swap limit support'] : []),
  ].join('\n') + '\n';
}

/** The client half of docker info --format's data ({{.ClientInfo.Version}}). */
const clientInfo = (g: EngineGlobals) => ({ Debug: g.debug, Version: ENGINE_VERSION, Context: 'default', Plugins: [], Warnings: null });

export async function infoCommand(g: EngineGlobals, f: { format?: string }): Promise<void> {
  const info = await cliEngine(g).systemInfo({ debug: g.debug });
  if (!f.format) { process.stdout.write(infoText(info, g)); return; }
  const format = f.format === 'json' ? '{{json .}}' : f.format;
  process.stdout.write(renderTemplate(format, { ...info, ClientInfo: clientInfo(g) }) + '\n');
}

/** docker version's data: {{.Client.Version}}, {{.Server.Version}}, {{json .}}. */
export function versionCommand(f: { format?: string }): void {
  if (!f.format) { process.stdout.write(`skiff version ${ENGINE_VERSION}\n`); return; }
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const side = { Version: ENGINE_VERSION, ApiVersion: '1.49', Os: 'linux', Arch: arch, NodeVersion: process.versions.node };
  const data = { Client: { Platform: { Name: 'skiff' }, ...side }, Server: { Platform: { Name: 'skiff' }, ...side, KernelVersion: '' } };
  process.stdout.write(renderTemplate(f.format === 'json' ? '{{json .}}' : f.format, data) + '\n');
}

/** skiff has no image index to search (Docker Hub's search API is Docker Hub's alone): one sentence, status 1. */
export function searchCommand(): number {
  process.stderr.write('skiff: search is not supported: skiff has no Docker Hub or other registry index to search; pull images by name from your registry\n');
  return 1;
}
