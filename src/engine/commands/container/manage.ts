// skiff rename, container prune, inspect: the container store's bookkeeping.
import { SkiffError, describe } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import { renderTemplate } from '../../../util/template.js';
import { imageInspectJson } from '../inspect.js';
import { destroyContainerFiles } from '../../prepare.js';
import { containerStore, imageStore, type EngineGlobals } from '../../context.js';

export function renameCommand(g: EngineGlobals, container: string, newName: string): void {
  containerStore(g).rename(container, newName);
}

/** container prune -f: every container that is not running. */
export function containerPruneCommand(g: EngineGlobals, f: { force?: boolean }): void {
  if (!f.force) throw new SkiffError('container prune needs -f (--force) to delete without asking');
  const store = containerStore(g);
  const gone = store.all().filter((c) => c.State.Status !== 'running' && c.State.Status !== 'paused');
  for (const c of gone) {
    destroyContainerFiles(store, c.Id);
    store.remove(c.Id);
  }
  process.stdout.write(gone.length ? 'Deleted Containers:\n' + gone.map((c) => c.Id + '\n').join('') + '\n' : '');
  process.stdout.write('Total reclaimed space: 0B\n');
}

/** inspect [--type container|image] [-f TEMPLATE] NAME...: containers first, as docker looks them up. */
export function inspectCommand(g: EngineGlobals, names: string[], f: { type?: string; format?: string }): number {
  if (f.type && !['container', 'image'].includes(f.type)) throw new SkiffError(`"${f.type}" is not a valid value for --type (container, image)`);
  const containers = containerStore(g);
  const images = imageStore(g);
  const out: unknown[] = [];
  let status = 0;
  for (const name of names) {
    try {
      let found: unknown;
      if (f.type !== 'image') {
        try { found = containers.find(name); } catch (err) { if (f.type === 'container') throw err; }
      }
      if (!found && f.type !== 'container') {
        try { found = imageInspectJson(images, resolveImage(images, name)); } catch { /* below */ }
      }
      if (!found) throw new SkiffError(`No such object: ${name}`);
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
