// What the commands over several containers share (stop, restart, kill,
// wait, rm, start): like docker they take several names, work on them in
// parallel (bounded), print each one done in the order given, and go on
// past a failure (exit status 1 at the end, "Error response from daemon:
// ..." for each).
import { SkiffError, describe } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import type { Engine } from '../../core/engine.js';
import { cliEngine } from '../engine.js';

/**
 * How many containers one command works on at once. The core's locks make
 * concurrent operations in one process safe; the bound keeps a command over
 * hundreds of containers from starting hundreds of monitors, runtimes and
 * cgroup walks together on a small machine.
 */
export const CONTAINERS_AT_ONCE = 8;

/**
 * Runs `act` over `items`, at most `limit` at a time, and reports each
 * outcome in the items' order (as docker prints them), each as soon as it
 * and every one before it is done.
 */
export async function inOrder<T, R>(items: T[], act: (item: T) => Promise<R>, report: (item: T, outcome: PromiseSettledResult<R>) => void, limit = CONTAINERS_AT_ONCE): Promise<void> {
  const outcomes: (PromiseSettledResult<R> | undefined)[] = items.map(() => undefined);
  let next = 0;
  let reported = 0;
  const flush = () => {
    while (reported < items.length && outcomes[reported]) report(items[reported], outcomes[reported]!), reported++;
  };
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      outcomes[i] = await act(items[i]).then((value) => ({ status: 'fulfilled', value }) as const, (reason) => ({ status: 'rejected', reason }) as const);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function eachName(g: EngineGlobals, names: string[], act: (core: Engine, name: string) => Promise<string | undefined>): Promise<number> {
  const core = cliEngine(g);
  let status = 0;
  await inOrder(names, (name) => act(core, name), (_name, outcome) => {
    if (outcome.status === 'fulfilled') {
      if (outcome.value !== undefined) process.stdout.write(outcome.value + '\n');
    } else {
      process.stderr.write(`Error response from daemon: ${describe(outcome.reason as Error)}\n`);
      status = 1;
    }
  });
  return status;
}

/** -t/--time: whole seconds. */
export function timeoutOf(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw new SkiffError(`invalid --time ${JSON.stringify(t)}: use whole seconds`, 'invalid');
  return n;
}
