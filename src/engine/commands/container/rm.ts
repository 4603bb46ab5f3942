// skiff rm [-f] [-v] CONTAINER...: prints each name as given, as docker does.
import { SkiffError, describe } from '../../../errors.js';
import { containerStore, type EngineGlobals } from '../../context.js';
import { destroyContainerFiles } from '../../prepare.js';

export function rmCommand(g: EngineGlobals, names: string[], f: { force?: boolean; volumes?: boolean }): number {
  const store = containerStore(g);
  let status = 0;
  for (const name of names) {
    try {
      const c = store.find(name);
      if ((c.State.Status === 'running' || c.State.Status === 'paused') && !f.force)
        throw new SkiffError(`cannot remove container "${c.Name}": container is ${c.State.Status}: stop the container before removing or force remove`);
      destroyContainerFiles(store, c.Id); // unmount first: rm -r must not descend into a mounted root
      store.remove(c.Id);
      process.stdout.write(name + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}
