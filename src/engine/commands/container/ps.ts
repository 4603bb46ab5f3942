// skiff ps: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES, as
// `docker ps`; -a all, -q IDs, -n/-l last ones, -f filters, --no-trunc.
import { SkiffError } from '../../../errors.js';
import { tabulate } from '../../../util/table.js';
import { ago } from '../../../util/human.js';
import type { ContainerRecord } from '../../containers.js';
import { containerStore, imageStore, type EngineGlobals } from '../../context.js';

export interface PsFlags { all?: boolean; quiet?: boolean; noTrunc?: boolean; last?: string; latest?: boolean; filter: string[] }

export function statusText(c: ContainerRecord): string {
  switch (c.State.Status) {
    case 'created': return 'Created';
    case 'running': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')}`;
    case 'paused': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')} (Paused)`;
    case 'exited': return `Exited (${c.State.ExitCode}) ${ago(c.State.FinishedAt)}`;
    default: return 'Dead';
  }
}

function matches(c: ContainerRecord, filter: string, imageIdsFor: (name: string) => string[]): boolean {
  const i = filter.indexOf('=');
  if (i < 0) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: use key=value`);
  const [k, v] = [filter.slice(0, i), filter.slice(i + 1)];
  switch (k) {
    case 'status': return c.State.Status === v;
    case 'name': return c.Name.slice(1).includes(v);
    case 'id': return c.Id.startsWith(v);
    case 'label': { const [lk, lv] = v.split('='); return lk in c.Config.Labels && (lv === undefined || c.Config.Labels[lk] === lv); }
    case 'ancestor': return c.Config.Image === v || imageIdsFor(v).includes(c.Image);
    default: throw new SkiffError(`invalid filter "${k}": supported are status, name, id, label, ancestor`);
  }
}

export function psCommand(g: EngineGlobals, f: PsFlags): void {
  const images = imageStore(g);
  const imageIdsFor = (name: string) => { try { return [(images.tags()[name] ?? '')]; } catch { return []; } };
  let list = containerStore(g).all().sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
  const limit = f.latest ? 1 : f.last !== undefined ? Number(f.last) : undefined;
  if (!f.all && limit === undefined) list = list.filter((c) => c.State.Status === 'running' || c.State.Status === 'paused');
  for (const filter of f.filter) list = list.filter((c) => matches(c, filter, imageIdsFor));
  if (limit !== undefined) list = list.slice(0, limit);
  const id = (c: ContainerRecord) => (f.noTrunc ? c.Id : c.Id.slice(0, 12));
  if (f.quiet) { process.stdout.write(list.map((c) => id(c) + '\n').join('')); return; }
  const command = (c: ContainerRecord) => {
    const full = [c.Path, ...c.Args].join(' ');
    return `"${f.noTrunc || full.length <= 20 ? full : full.slice(0, 19) + '…'}"`;
  };
  const rows = list.map((c) => [id(c), c.Config.Image, command(c), ago(c.Created), statusText(c), '', c.Name.slice(1)]);
  process.stdout.write(tabulate([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], ...rows], 10, 3));
}
