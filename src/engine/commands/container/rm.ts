// skiff rm [-f] [-v] CONTAINER...: a running container only with -f (killed
// first); -v removes its anonymous volumes.
import type { EngineGlobals } from '../../context.js';
import { eachName } from './each.js';

export function rmCommand(g: EngineGlobals, names: string[], f: { force?: boolean; volumes?: boolean }): Promise<number> {
  return eachName(g, names, async (core, name) => { await core.containerRemove(name, { force: !!f.force, v: !!f.volumes }); return name; });
}
