// skiff start [-a] [-i] CONTAINER...: starts containers; with -a, attached
// to the one container as run is (attached.ts).
import { SkiffError, describe } from '../../../errors.js';
import { hostConfigOf } from '../../containers.js';
import type { EngineGlobals } from '../../context.js';
import { engine, exitCodeFor, isActive, startContainer } from '../../lifecycle.js';
import { afterAttach, attachClient, relay } from './attached.js';

/** skiff start [-a] [-i] NAME...: prints each name (without -a), as docker does. */
export async function startCommand(g: EngineGlobals, names: string[], f: { attach?: boolean; interactive?: boolean; detachKeys?: string }): Promise<number> {
  const e = engine(g);
  if ((f.attach || f.interactive) && names.length > 1) throw new SkiffError('you cannot start and attach multiple containers at once', 'invalid');
  let status = 0;
  for (const name of names) {
    try {
      const c = e.containers.find(name);
      if (f.attach || f.interactive) {
        const stdin = !!f.interactive && c.Config.OpenStdin;
        const client = attachClient(g.root, c, { stdin, claim: true, detachKeys: f.detachKeys });
        if (isActive(c)) {
          await client.connect();
        } else {
          await startContainer(e, c.Id, { beforeStart: () => client.connect() });
        }
        const result = await relay(e, c, client, undefined);
        return afterAttach(e, c, result, !isActive(c) && hostConfigOf(c).RestartPolicy.Name === 'no');
      }
      await startContainer(e, c.Id);
      process.stdout.write(name + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = exitCodeFor(err as Error) === 125 ? 1 : exitCodeFor(err as Error);
    }
  }
  if (status) process.stderr.write(`Error: failed to start containers: ${names.join(', ')}\n`);
  return status;
}

