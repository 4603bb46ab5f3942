// skiff-runtime kill: send a signal (name or number, default SIGTERM) to the
// init, or with --all to every process of the container.
import { kill } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';

export function killCommand(g: Globals, id: string, signal: string | undefined, f: { all?: boolean }): Promise<void> {
  return kill(runtimeOptions(g), id, signal ?? 'SIGTERM', !!f.all);
}
