// skiff ps: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES, as
// `docker ps`; -a all, -q IDs, -n/-l last ones, -f filters, --no-trunc.
import { SkiffError } from '../../../errors.js';
import { tabulate } from '../../../util/table.js';
import { ago, humanSize } from '../../../util/human.js';
import { treeSize } from '../../../util/files.js';
import { rootfsPaths } from '../../rootfs.js';
import { renderTemplate } from '../../../util/template.js';
import type { ContainerRecord } from '../../containers.js';
import { imageStore, type EngineGlobals } from '../../context.js';
import { engine, isActive } from '../../lifecycle.js';
import { cliEngine } from '../engine.js';
import { portsText } from '../../networking.js';

export interface PsFlags { size?: boolean; all?: boolean; quiet?: boolean; noTrunc?: boolean; last?: string; latest?: boolean; filter: string[]; format?: string }

export function statusText(c: ContainerRecord): string {
  switch (c.State.Status) {
    case 'created': return 'Created';
    case 'running': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')}`;
    case 'paused': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')} (Paused)`;
    case 'restarting': return `Restarting (${c.State.ExitCode}) ${ago(c.State.FinishedAt)}`;
    case 'exited': return `Exited (${c.State.ExitCode}) ${ago(c.State.FinishedAt)}`;
    default: return 'Dead';
  }
}

function splitFilter(filter: string): [string, string] {
  const i = filter.indexOf('=');
  if (i < 0) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: use key=value`, 'invalid');
  return [filter.slice(0, i), filter.slice(i + 1)];
}

/** Go's time.Time String() in UTC, as docker ps shows CreatedAt: "2006-01-02 15:04:05 +0000 UTC". */
function goTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

export async function psCommand(g: EngineGlobals, f: PsFlags): Promise<void> {
  const images = imageStore(g);
  const limit = f.latest ? 1 : f.last !== undefined ? Number(f.last) : undefined;
  // -f k=v flags -> the API's filter map (values of one key are alternatives, as in docker).
  const filters: Record<string, string[]> = {};
  for (const x of f.filter) { const [k, v] = splitFilter(x); (filters[k] ??= []).push(v); }
  const list = await cliEngine(g).containerList({ all: f.all, limit, filters });
  const id = (c: ContainerRecord) => (f.noTrunc ? c.Id : c.Id.slice(0, 12));
  if (f.quiet) { process.stdout.write(list.map((c) => id(c) + '\n').join('')); return; }
  const command = (c: ContainerRecord) => {
    const full = [c.Path, ...c.Args].join(' ');
    return `"${f.noTrunc || full.length <= 20 ? full : full.slice(0, 19) + '…'}"`;
  };
  if (f.format) {
    // The fields `docker ps --format` offers; "table" adds a header and aligns columns.
    // In docker's order ({{json .}} prints its fields sorted).
    const view = (c: ContainerRecord) => ({
      Command: command(c), CreatedAt: goTime(c.Created), ID: id(c), Image: c.Config.Image,
      Labels: Object.entries(c.Config.Labels).map(([k, v]) => `${k}=${v}`).join(','),
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
      Mounts: (c.Mounts ?? []).map((m) => (m.Type === 'volume' ? (m.Name ?? '').slice(0, 15) : m.Source)).join(','),
      Names: c.Name.slice(1), Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
      Ports: portsText(c), RunningFor: ago(c.Created), State: c.State.Status, Status: statusText(c),
    });
    const table = f.format.startsWith('table');
    // Docker turns a typed "\t" into a tab before rendering.
    const format = f.format.replace(/\\t/g, '\t');
    const template = table ? format.replace(/^table\s*/, '') : format;
    const rendered = list.map((c) => renderTemplate(template, view(c)));
    if (!table) { process.stdout.write(rendered.map((r) => r + '\n').join('')); return; }
    const HEADERS: Record<string, string> = { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Status: 'STATUS', State: 'STATE', Ports: 'PORTS', Names: 'NAMES', Labels: 'LABELS', LocalVolumes: 'LOCAL VOLUMES', Mounts: 'MOUNTS', Networks: 'NETWORKS' };
    const header = template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => HEADERS[k] ?? k.toUpperCase());
    process.stdout.write(tabulate([header, ...rendered].map((line) => line.split('\t')), 10, 3));
    return;
  }
  const e = engine(g);
  // -s: the container's own layer, and with the image's ("virtual"), as docker ps --size.
  const size = (c: ContainerRecord) => {
    const own = treeSize(rootfsPaths(e.containers.containerDir(c.Id)).upper);
    return `${humanSize(own)} (virtual ${humanSize(own + (images.getImage(c.Image)?.size ?? 0))})`;
  };
  const rows = list.map((c) => [id(c), c.Config.Image, command(c), ago(c.Created), statusText(c), isActive(c) ? portsText(c) : '', c.Name.slice(1), ...(f.size ? [size(c)] : [])]);
  const header = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(f.size ? ['SIZE'] : [])];
  process.stdout.write(tabulate([header, ...rows], 10, 3));
}

