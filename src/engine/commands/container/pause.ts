// skiff pause|unpause CONTAINER...: prints each name done; a failure goes on
// to the next and makes the exit status 1, as docker.
import type { EngineGlobals } from '../../context.js';
import { pauseContainer, unpauseContainer } from '../../pause.js';
import { eachName } from './manage-run.js';

export function pauseCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(names, async (e, id, name) => { await pauseContainer(e, id); return name; }, g);
}

export function unpauseCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(names, async (e, id, name) => { await unpauseContainer(e, id); return name; }, g);
}
