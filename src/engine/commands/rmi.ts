// skiff rmi [-f] IMAGE...: prints Untagged:/Deleted: lines as docker does;
// each image is tried, and a failure makes the exit status 1.
import { describe } from '../../errors.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function rmiCommand(g: EngineGlobals, images: string[], f: { force?: boolean }): Promise<number> {
  const core = cliEngine(g);
  let status = 0;
  for (const image of images) {
    try {
      process.stdout.write((await core.imageRemove(image, { force: !!f.force })).map((l) => l + '\n').join(''));
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}
