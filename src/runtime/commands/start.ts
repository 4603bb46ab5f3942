// skiff-runtime start: let a created container exec its process.
import { start } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';

export async function startCommand(g: Globals, id: string): Promise<void> {
  await start(runtimeOptions(g), id);
}
