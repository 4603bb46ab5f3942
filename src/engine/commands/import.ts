// skiff import [-c CHANGE]... [-m MESSAGE] FILE|- [REPOSITORY[:TAG]]
import { importRootfs } from '../../image/import.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { recordEvent } from '../events.js';

export async function importCommand(g: EngineGlobals, file: string, reference: string | undefined, f: { change: string[]; message?: string }): Promise<void> {
  const rec = await importRootfs(imageStore(g), file, reference, f.change, f.message);
  recordEvent(g.root, 'image', 'import', rec.id, { name: reference ?? rec.id });
  process.stdout.write(`${rec.id}\n`);
}
