// skiff container prune [-f]: every container that is not running (asks first on a terminal).
import { confirmOrForce } from '../../../util/prompt.js';
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';
import { PRUNE_WARNINGS, containersPruneText, reclaimedText } from '../pruneText.js';

export async function containerPruneCommand(g: EngineGlobals, f: { force?: boolean }): Promise<void> {
  if (!(await confirmOrForce({ force: f.force, command: 'container prune', warning: PRUNE_WARNINGS.containers }))) return;
  const report = await cliEngine(g).containerPrune();
  process.stdout.write(containersPruneText(report) + reclaimedText(report.SpaceReclaimed));
}
