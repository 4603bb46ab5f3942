// skiff container prune -f: every container that is not running.
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export async function containerPruneCommand(g: EngineGlobals, f: { force?: boolean }): Promise<void> {
  if (!f.force) throw new SkiffError('container prune needs -f (--force) to delete without asking', 'invalid');
  const { ContainersDeleted: gone } = await cliEngine(g).containerPrune();
  process.stdout.write(gone.length ? 'Deleted Containers:\n' + gone.map((id) => id + '\n').join('') + '\n' : '');
  process.stdout.write('Total reclaimed space: 0B\n');
}
