// skiff start [-a] [-i] CONTAINER...: starts containers; with -a, attached
// to the one container as run is (attached.ts).
import { SkiffError, describe } from '../../../errors.js';
import { hostConfigOf } from '../../containers.js';
import type { EngineGlobals } from '../../context.js';
import { engine, exitCodeFor, isActive, startContainer } from '../../lifecycle.js';
import { afterAttach, attachClient, relay } from './attached.js';
import { inOrder } from './each.js';

/** skiff start [-a] [-i] NAME...: prints each name (without -a), as docker does. */
export async function startCommand(g: EngineGlobals, names: string[], f: { attach?: boolean; interactive?: boolean; detachKeys?: string }): Promise<number> {
  const e = engine(g);
  if ((f.attach || f.interactive) && names.length > 1) throw new SkiffError('you cannot start and attach multiple containers at once', 'invalid');
  let status = 0;
  const failed = (err: Error) => {
    process.stderr.write(`Error response from daemon: ${describe(err)}\n`);
    status = exitCodeFor(err) === 125 ? 1 : exitCodeFor(err);
  };
  if (f.attach || f.interactive) {
    try {
      const c = e.containers.find(names[0]);
      const stdin = !!f.interactive && c.Config.OpenStdin;
      const client = attachClient(g.root, c, { stdin, claim: true, detachKeys: f.detachKeys });
      if (isActive(c)) {
        await client.connect();
      } else {
        await startContainer(e, c.Id, { beforeStart: () => client.connect() });
      }
      const result = await relay(e, c, client, undefined);
      return afterAttach(e, c, result, !isActive(c) && hostConfigOf(c).RestartPolicy.Name === 'no');
    } catch (err) {
      failed(err as Error);
    }
  } else {
    // Without -a, like stop and rm: in parallel, printed in the order given.
    await inOrder(names, async (name) => { await startContainer(e, e.containers.find(name).Id); }, (name, outcome) => {
      if (outcome.status === 'fulfilled') process.stdout.write(name + '\n');
      else failed(outcome.reason as Error);
    });
  }
  if (status) process.stderr.write(`Error: failed to start containers: ${names.join(', ')}\n`);
  return status;
}

