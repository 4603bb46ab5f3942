// skiff pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]
import { familiarString, parseReference } from '../../image/reference.js';
import { progressFor } from '../progress.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function pullCommand(g: EngineGlobals, name: string, f: { platform?: string; quiet?: boolean }): Promise<void> {
  const ref = parseReference(name);
  const result = await cliEngine(g).imagePull(name, { platform: f.platform, progress: progressFor(process.stdout, !!f.quiet) });
  if (!f.quiet) {
    process.stdout.write(`Digest: ${result.digest}\n`);
    process.stdout.write(result.fresh ? `Status: Downloaded newer image for ${familiarString(ref)}\n` : `Status: Image is up to date for ${familiarString(ref)}\n`);
  }
  process.stdout.write(`${result.reference}\n`);
}
