// skiff ps: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES, as
// `docker ps`; -a all, -q IDs, -n/-l last ones, -f filters, --no-trunc.
import { SkiffError } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import { tabulate } from '../../../util/table.js';
import { ago, goTime, humanSize } from '../../../util/human.js';
import { formatList } from '../../../util/template.js';
import { statusText, type ContainerRecord } from '../../containers.js';
import { imageStore, type EngineGlobals } from '../../context.js';
import { isActive } from '../../lifecycle.js';
import { containerSize } from '../../core/containers/size.js';
import { cliEngine } from '../engine.js';
import { portsText } from '../../networking.js';

export interface PsFlags { size?: boolean; all?: boolean; quiet?: boolean; noTrunc?: boolean; last?: string; latest?: boolean; filter: string[]; format?: string }

export { statusText };

function splitFilter(filter: string): [string, string] {
  const i = filter.indexOf('=');
  if (i < 0) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: use key=value`, 'invalid');
  return [filter.slice(0, i), filter.slice(i + 1)];
}

// docker/cli formatter/container.go column names.
const PS_HEADERS = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Status: 'STATUS', State: 'STATE',
  Ports: 'PORTS', Names: 'NAMES', Labels: 'LABELS', Label: 'LABEL', LocalVolumes: 'LOCAL VOLUMES', Mounts: 'MOUNTS', Networks: 'NETWORKS', Size: 'SIZE',
};

export async function psCommand(g: EngineGlobals, f: PsFlags): Promise<void> {
  const images = imageStore(g);
  const limit = f.latest ? 1 : f.last !== undefined ? Number(f.last) : undefined;
  // -f k=v flags -> the API's filter map (values of one key are alternatives, as in docker).
  const filters: Record<string, string[]> = {};
  for (const x of f.filter) { const [k, v] = splitFilter(x); (filters[k] ??= []).push(v); }
  const list = await cliEngine(g).containerList({ all: f.all, limit, filters });
  const id = (c: ContainerRecord) => (f.noTrunc ? c.Id : c.Id.slice(0, 12));
  // docker: the name the container was made with while it still names its
  // image; the image's ID once that tag was removed or moved.
  const imageOf = (c: ContainerRecord) => {
    let named: string | undefined;
    try { named = resolveImage(images, c.Config.Image).id; } catch { /* tag gone */ }
    return named === c.Image ? c.Config.Image : f.noTrunc ? c.Image : c.Image.slice(7, 19);
  };
  if (f.quiet) { process.stdout.write(list.map((c) => id(c) + '\n').join('')); return; }
  const command = (c: ContainerRecord) => {
    const full = [c.Path, ...c.Args].join(' ');
    return `"${f.noTrunc || full.length <= 20 ? full : full.slice(0, 19) + '…'}"`;
  };
  if (f.format) {
    // The fields `docker ps --format` offers; "table" adds a header and aligns columns.
    // In docker's order ({{json .}} prints its fields sorted).
    const view = (c: ContainerRecord) => ({
      Command: command(c), CreatedAt: goTime(c.Created), ID: id(c), Image: imageOf(c),
      Labels: Object.entries(c.Config.Labels).map(([k, v]) => `${k}=${v}`).join(','),
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
      Mounts: (c.Mounts ?? []).map((m) => (m.Type === 'volume' ? (m.Name ?? '').slice(0, 15) : m.Source)).join(','),
      Names: c.Name.slice(1), Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
      Ports: portsText(c), RunningFor: ago(c.Created),
      Size: '', // shown by --size only (computing it walks the layer)
      State: c.State.Status, Status: statusText(c),
      // A method in docker's ContainerContext: {{.Label "com.example.key"}}.
      Label: (key: string) => c.Config.Labels[key] ?? '',
    });
    process.stdout.write(formatList(f.format, list.map(view), PS_HEADERS, 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}'));
    return;
  }
  // -s: the container's own layer, and with the image's ("virtual"), as docker ps --size.
  const ctx = cliEngine(g).ctx;
  const size = (c: ContainerRecord) => {
    const { SizeRw, SizeRootFs } = containerSize(ctx, c);
    return `${humanSize(SizeRw)} (virtual ${humanSize(SizeRootFs)})`;
  };
  const rows = list.map((c) => [id(c), imageOf(c), command(c), ago(c.Created), statusText(c), isActive(c) ? portsText(c) : '', c.Name.slice(1), ...(f.size ? [size(c)] : [])]);
  const header = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(f.size ? ['SIZE'] : [])];
  process.stdout.write(tabulate([header, ...rows], 10, 3));
}

