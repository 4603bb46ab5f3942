// skiff restart [-t SECONDS] CONTAINER...: stop (if running), then start.
import type { EngineGlobals } from '../../context.js';
import { eachName, timeoutOf } from './each.js';

export function restartCommand(g: EngineGlobals, names: string[], f: { time?: string }): Promise<number> {
  const t = timeoutOf(f.time);
  return eachName(g, names, async (core, name) => { await core.containerRestart(name, { t }); return name; });
}
