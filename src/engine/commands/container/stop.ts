// skiff stop [-t SECONDS] [-s SIGNAL] CONTAINER...: the stop signal, then
// SIGKILL after the timeout. A container already stopped is done (dockerd
// answers 304 and the docker CLI prints its name).
import { kindOf } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { eachName, timeoutOf } from './each.js';

export function stopCommand(g: EngineGlobals, names: string[], f: { time?: string; signal?: string }): Promise<number> {
  const t = timeoutOf(f.time);
  return eachName(g, names, async (core, name) => {
    try {
      await core.containerStop(name, { t, signal: f.signal });
    } catch (err) {
      if (kindOf(err) !== 'not-modified') throw err;
    }
    return name;
  });
}
