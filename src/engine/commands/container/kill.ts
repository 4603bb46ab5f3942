// skiff kill [-s SIGNAL] CONTAINER...: a signal (default KILL) to running containers.
import type { EngineGlobals } from '../../context.js';
import { eachName } from './each.js';

export function killCommand(g: EngineGlobals, names: string[], f: { signal?: string }): Promise<number> {
  return eachName(g, names, async (core, name) => { await core.containerKill(name, f.signal ?? 'KILL'); return name; });
}
