// skiff volume create|ls|inspect|rm|prune, with docker's output.
import { confirmOrForce } from '../../util/prompt.js';
import { PRUNE_WARNINGS, reclaimedText, volumesPruneText } from './pruneText.js';
import { cliEngine } from './engine.js';
import { volumeView } from '../views.js';
import { volumeMatches } from '../core/volumes/list.js';
import { filterFlags, pruneMatcher } from '../core/pruneFilter.js';
import { describe, SkiffError } from '../../errors.js';
import { tabulate } from '../../util/table.js';
import { formatList, renderTemplate } from '../../util/template.js';
import { containerStore, type EngineGlobals } from '../context.js';
import { VolumeStore, type Volume } from '../volumes.js';

const keyValues = (pairs: string[], flag: string) => Object.fromEntries(pairs.map((p) => {
  const i = p.indexOf('=');
  if (i <= 0) throw new SkiffError(`invalid ${flag} ${JSON.stringify(p)}: use key=value`, 'invalid');
  return [p.slice(0, i), p.slice(i + 1)];
}));

export async function volumeCreateCommand(g: EngineGlobals, name: string | undefined, f: { name?: string; label: string[]; opt: string[]; driver?: string }): Promise<void> {
  if (f.driver && f.driver !== 'local') throw new SkiffError(`volume driver ${JSON.stringify(f.driver)} is not available: skiff has the local driver`);
  if (name && f.name && name !== f.name) throw new SkiffError(`conflicting options: either specify --name or provide positional arg, not both`, 'invalid');
  const v = await cliEngine(g).volumeCreate({ Name: name ?? f.name, Driver: f.driver, Labels: keyValues(f.label, '--label'), DriverOpts: keyValues(f.opt, '--opt') });
  process.stdout.write(v.Name + '\n');
}

function matches(v: Volume, filter: string, dangling: (n: string) => boolean): boolean {
  const i = filter.indexOf('=');
  if (i < 0) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: use key=value`, 'invalid');
  return volumeMatches(v, filter.slice(0, i), filter.slice(i + 1), dangling);
}

// docker/cli formatter/volume.go column names.
const VOLUME_HEADERS = { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE' };

export function volumeLsCommand(g: EngineGlobals, f: { quiet?: boolean; filter: string[]; format?: string }): void {
  const containers = containerStore(g);
  const dangling = (n: string) => containers.usingVolume(n).length === 0;
  let list = new VolumeStore(g.root).all().sort((a, b) => a.Name.localeCompare(b.Name));
  for (const filter of f.filter) list = list.filter((v) => matches(v, filter, dangling));
  if (f.quiet) { process.stdout.write(list.map((v) => v.Name + '\n').join('')); return; }
  if (f.format) { process.stdout.write(formatList(f.format, list.map(volumeView), VOLUME_HEADERS, 'table {{.Driver}}\t{{.Name}}')); return; }
  process.stdout.write(tabulate([['DRIVER', 'VOLUME NAME'], ...list.map((v) => [v.Driver, v.Name])], 6, 4));
}

export function volumeInspectCommand(g: EngineGlobals, names: string[], f: { format?: string }): number {
  const store = new VolumeStore(g.root);
  const found: unknown[] = [];
  let status = 0;
  for (const n of names) {
    const v = store.get(n);
    if (v) found.push(volumeView(v));
    else { process.stderr.write(`Error response from daemon: get ${n}: no such volume\n`); status = 1; }
  }
  if (f.format) process.stdout.write(found.map((v) => renderTemplate(f.format!, v) + '\n').join(''));
  else process.stdout.write(JSON.stringify(found, null, 4) + '\n');
  return status;
}

export async function volumeRmCommand(g: EngineGlobals, names: string[], f: { force?: boolean }): Promise<number> {
  const core = cliEngine(g);
  let status = 0;
  for (const n of names) {
    try {
      if (f.force && !core.volumeList().Volumes.some((v) => v.Name === n)) continue; // -f: a missing volume is not an error, nor printed
      await core.volumeRemove(n, { force: !!f.force });
      process.stdout.write(n + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}

/** volume prune: unused anonymous volumes; -a all unused volumes (docker 23+). */
export async function volumePruneCommand(g: EngineGlobals, f: { force?: boolean; all?: boolean; filter: string[] }): Promise<void> {
  const filters = filterFlags(f.filter);
  pruneMatcher(filters, ['label', 'label!']); // a bad filter fails before the question
  if (!(await confirmOrForce({ force: f.force, command: 'volume prune', warning: f.all ? PRUNE_WARNINGS.volumesAll : PRUNE_WARNINGS.volumes }))) return;
  const report = await cliEngine(g).volumePrune({ all: f.all, filters });
  process.stdout.write(volumesPruneText(report) + reclaimedText(report.SpaceReclaimed));
}

