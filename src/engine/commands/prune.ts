// skiff image prune [-a] [-f] [--filter until=|label=|label!=]...: dangling images (all unused with -a); asks first on a terminal.
import { confirmOrForce } from '../../util/prompt.js';
import type { EngineGlobals } from '../context.js';
import { filterFlags, pruneMatcher } from '../core/pruneFilter.js';
import { cliEngine } from './engine.js';
import { PRUNE_WARNINGS, imagesPruneText, reclaimedText } from './pruneText.js';

export async function imagePruneCommand(g: EngineGlobals, f: { all?: boolean; force?: boolean; filter?: string[] }): Promise<void> {
  const filters = filterFlags(f.filter);
  pruneMatcher(filters); // a bad filter fails before the question
  const warning = f.all ? PRUNE_WARNINGS.imagesAll : PRUNE_WARNINGS.images;
  if (!(await confirmOrForce({ force: f.force, command: 'image prune', warning }))) return;
  const report = await cliEngine(g).imagePrune({ all: f.all, filters });
  process.stdout.write(imagesPruneText(report) + reclaimedText(report.SpaceReclaimed));
}
