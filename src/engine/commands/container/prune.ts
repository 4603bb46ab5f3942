// skiff container prune [-f] [--filter until=|label=|label!=]...: every container that is not running (asks first on a terminal).
import { confirmOrForce } from '../../../util/prompt.js';
import type { EngineGlobals } from '../../context.js';
import { filterFlags, pruneMatcher } from '../../core/pruneFilter.js';
import { cliEngine } from '../engine.js';
import { PRUNE_WARNINGS, containersPruneText, reclaimedText } from '../pruneText.js';

export async function containerPruneCommand(g: EngineGlobals, f: { force?: boolean; filter?: string[] }): Promise<void> {
  const filters = filterFlags(f.filter);
  pruneMatcher(filters); // a bad filter fails before the question
  if (!(await confirmOrForce({ force: f.force, command: 'container prune', warning: PRUNE_WARNINGS.containers }))) return;
  const report = await cliEngine(g).containerPrune({ filters });
  process.stdout.write(containersPruneText(report) + reclaimedText(report.SpaceReclaimed));
}
