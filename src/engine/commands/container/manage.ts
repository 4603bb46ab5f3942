// skiff rename, container prune, inspect: the container store's bookkeeping.
import { SkiffError, describe } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import { renderTemplate } from '../../../util/template.js';
import { imageInspectJson } from '../inspect.js';
import { volumeView } from '../volume.js';
import { VolumeStore } from '../../volumes.js';
import { NetworkStore } from '../../../network/store.js';
import { networkView } from '../network.js';
import { engine, isActive, refresh, refreshAll, rmContainer } from '../../lifecycle.js';
import { containerStore, imageStore, type EngineGlobals } from '../../context.js';

export function renameCommand(g: EngineGlobals, container: string, newName: string): Promise<void> {
  return containerStore(g).rename(container, newName);
}

/** container prune -f: every container that is not running. */
export async function containerPruneCommand(g: EngineGlobals, f: { force?: boolean }): Promise<void> {
  if (!f.force) throw new SkiffError('container prune needs -f (--force) to delete without asking', 'invalid');
  const e = engine(g);
  const gone = (await refreshAll(e)).filter((c) => !isActive(c));
  for (const c of gone) await rmContainer(e, c.Id, false);
  process.stdout.write(gone.length ? 'Deleted Containers:\n' + gone.map((c) => c.Id + '\n').join('') + '\n' : '');
  process.stdout.write('Total reclaimed space: 0B\n');
}

/** inspect [--type container|image] [-f TEMPLATE] NAME...: containers first, as docker looks them up. */
export async function inspectCommand(g: EngineGlobals, names: string[], f: { type?: string; format?: string }): Promise<number> {
  const e = engine(g);
  if (f.type && !['container', 'image', 'volume', 'network'].includes(f.type)) throw new SkiffError(`"${f.type}" is not a valid value for --type (container, image, volume, network)`, 'invalid');
  const networks = new NetworkStore(g.root);
  const volumes = new VolumeStore(g.root);
  const containers = containerStore(g);
  const images = imageStore(g);
  const out: unknown[] = [];
  let status = 0;
  for (const name of names) {
    try {
      let found: unknown;
      if (!f.type || f.type === 'container') {
        try { found = await refresh(e, containers.find(name).Id); } catch (err) { if (f.type === 'container') throw err; }
      }
      if (!found && (!f.type || f.type === 'image')) {
        try { found = imageInspectJson(images, resolveImage(images, name)); } catch { /* below */ }
      }
      if (!found && (!f.type || f.type === 'volume')) {
        const v = volumes.get(name);
        if (v) found = volumeView(v);
      }
      if (!found && (!f.type || f.type === 'network')) {
        const n = networks.find(name);
        if (n) found = networkView(n);
      }
      if (!found) throw new SkiffError(`No such object: ${name}`, 'not-found');
      out.push(found);
    } catch (err) {
      process.stderr.write(`Error: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  if (f.format) process.stdout.write(out.map((o) => renderTemplate(f.format!, o) + '\n').join(''));
  else process.stdout.write(JSON.stringify(out, null, 4) + '\n');
  return status;
}
