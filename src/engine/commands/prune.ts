// skiff image prune [-a] [-f]: dangling images (all unused with -a).
import { SkiffError } from '../../errors.js';
import { pruneImages } from '../../image/images.js';
import { humanSize } from '../../util/human.js';
import { containerStore, imageStore, type EngineGlobals } from '../context.js';

export async function imagePruneCommand(g: EngineGlobals, f: { all?: boolean; force?: boolean }): Promise<void> {
  // Docker asks for confirmation on a terminal; without one, -f is required.
  if (!f.force) throw new SkiffError('image prune needs -f (--force) to delete without asking');
  const containers = containerStore(g);
  const { deleted, reclaimed } = await pruneImages(imageStore(g), !!f.all, (id) => containers.usingImage(id).length > 0);
  if (deleted.length) process.stdout.write('Deleted Images:\n' + deleted.map((l) => l + '\n').join('') + '\n');
  process.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
}
