// skiff wait CONTAINER...: blocks until each container stops, prints its exit code.
import type { EngineGlobals } from '../../context.js';
import { eachName } from './each.js';

export function waitCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(g, names, async (core, name) => String((await core.containerWait(name)).StatusCode));
}
