// What the commands over several containers share (stop, restart, kill,
// wait, rm): like docker they take several names, print each one done, and
// go on past a failure (exit status 1 at the end, "Error response from
// daemon: ..." for each).
import { SkiffError, describe } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import type { Engine } from '../../core/engine.js';
import { cliEngine } from '../engine.js';

export async function eachName(g: EngineGlobals, names: string[], act: (core: Engine, name: string) => Promise<string | undefined>): Promise<number> {
  const core = cliEngine(g);
  let status = 0;
  for (const name of names) {
    try {
      const out = await act(core, name);
      if (out !== undefined) process.stdout.write(out + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}

/** -t/--time: whole seconds. */
export function timeoutOf(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw new SkiffError(`invalid --time ${JSON.stringify(t)}: use whole seconds`, 'invalid');
  return n;
}
