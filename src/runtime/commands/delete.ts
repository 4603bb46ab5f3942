// skiff-runtime delete: remove a stopped (or, with --force, any) container.
import { remove } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';

export async function deleteCommand(g: Globals, id: string, f: { force?: boolean }): Promise<void> {
  await remove(runtimeOptions(g), id, !!f.force);
}
