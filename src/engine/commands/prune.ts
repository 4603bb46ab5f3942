// skiff image prune [-a] [-f]: dangling images (all unused with -a).
import { SkiffError } from '../../errors.js';
import { humanSize } from '../../util/human.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function imagePruneCommand(g: EngineGlobals, f: { all?: boolean; force?: boolean }): Promise<void> {
  // Docker asks for confirmation on a terminal; without one, -f is required.
  if (!f.force) throw new SkiffError('image prune needs -f (--force) to delete without asking', 'invalid');
  const { ImagesDeleted: deleted, SpaceReclaimed: reclaimed } = await cliEngine(g).imagePrune({ all: !!f.all });
  if (deleted.length) process.stdout.write('Deleted Images:\n' + deleted.map((l) => l + '\n').join('') + '\n');
  process.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
}
