// skiff pause|unpause CONTAINER...: prints each name done; a failure goes on
// to the next and makes the exit status 1, as docker.
import type { EngineGlobals } from '../../context.js';
import { eachName } from './each.js';

export function pauseCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(g, names, async (core, name) => { await core.containerPause(name); return name; });
}

export function unpauseCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(g, names, async (core, name) => { await core.containerUnpause(name); return name; });
}
