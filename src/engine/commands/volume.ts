// skiff volume create|ls|inspect|rm|prune, with docker's output.
import { describe, SkiffError } from '../../errors.js';
import { tabulate } from '../../util/table.js';
import { humanSize } from '../../util/human.js';
import { treeSize } from '../../util/files.js';
import { renderTemplate } from '../../util/template.js';
import { containerStore, type EngineGlobals } from '../context.js';
import { VolumeStore, type Volume } from '../volumes.js';

const keyValues = (pairs: string[], flag: string) => Object.fromEntries(pairs.map((p) => {
  const i = p.indexOf('=');
  if (i <= 0) throw new SkiffError(`invalid ${flag} ${JSON.stringify(p)}: use key=value`, 'invalid');
  return [p.slice(0, i), p.slice(i + 1)];
}));

/** What inspect shows (skiff's own Anonymous mark is left out). */
export function volumeView(v: Volume): Omit<Volume, 'Anonymous'> {
  const { Anonymous: _, ...view } = v;
  return view;
}

export async function volumeCreateCommand(g: EngineGlobals, name: string | undefined, f: { name?: string; label: string[]; opt: string[]; driver?: string }): Promise<void> {
  if (f.driver && f.driver !== 'local') throw new SkiffError(`volume driver ${JSON.stringify(f.driver)} is not available: skiff has the local driver`);
  if (name && f.name && name !== f.name) throw new SkiffError(`conflicting options: either specify --name or provide positional arg, not both`, 'invalid');
  const v = await new VolumeStore(g.root).create(name ?? f.name, { labels: keyValues(f.label, '--label'), options: keyValues(f.opt, '--opt') });
  process.stdout.write(v.Name + '\n');
}

function matches(v: Volume, filter: string, dangling: (n: string) => boolean): boolean {
  const i = filter.indexOf('=');
  if (i < 0) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: use key=value`, 'invalid');
  const [k, val] = [filter.slice(0, i), filter.slice(i + 1)];
  switch (k) {
    case 'dangling': return dangling(v.Name) === ['true', '1'].includes(val);
    case 'name': return v.Name.includes(val);
    case 'driver': return v.Driver === val;
    case 'label': { const [lk, lv] = val.split('='); return lk in v.Labels && (lv === undefined || v.Labels[lk] === lv); }
    default: throw new SkiffError(`invalid filter "${k}": supported are dangling, name, driver, label`, 'invalid');
  }
}

export function volumeLsCommand(g: EngineGlobals, f: { quiet?: boolean; filter: string[]; format?: string }): void {
  const containers = containerStore(g);
  const dangling = (n: string) => containers.usingVolume(n).length === 0;
  let list = new VolumeStore(g.root).all().sort((a, b) => a.Name.localeCompare(b.Name));
  for (const filter of f.filter) list = list.filter((v) => matches(v, filter, dangling));
  if (f.quiet) { process.stdout.write(list.map((v) => v.Name + '\n').join('')); return; }
  if (f.format) { process.stdout.write(list.map((v) => renderTemplate(f.format!, volumeView(v)) + '\n').join('')); return; }
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
  const store = new VolumeStore(g.root);
  const containers = containerStore(g);
  let status = 0;
  for (const n of names) {
    try {
      if (!store.get(n) && f.force) continue; // -f: a missing volume is not an error
      await store.remove(n, (v) => containers.usingVolume(v));
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
  if (!f.force) throw new SkiffError('volume prune needs -f (--force) to delete without asking');
  const store = new VolumeStore(g.root);
  const containers = containerStore(g);
  store.sweep();
  const dangling = (n: string) => containers.usingVolume(n).length === 0;
  let candidates = store.all().filter((v) => (f.all || v.Anonymous) && dangling(v.Name));
  for (const filter of f.filter) candidates = candidates.filter((v) => matches(v, filter, dangling));
  const deleted: string[] = [];
  let bytes = 0;
  for (const v of candidates) {
    try {
      const size = treeSize(v.Mountpoint);
      await store.remove(v.Name, (n) => containers.usingVolume(n));
      deleted.push(v.Name);
      bytes += size;
    } catch { /* taken into use meanwhile */ }
  }
  process.stdout.write(deleted.length ? `Deleted Volumes:\n${deleted.map((n) => n + '\n').join('')}\n` : '');
  process.stdout.write(`Total reclaimed space: ${humanSize(bytes)}\n`);
}

