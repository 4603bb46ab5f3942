// skiff image inspect IMAGE...: a JSON array in the shape of the Docker
// Engine API's ImageInspect (the fields the CLI and SDKs read).
import { imageInspectJson } from '../views.js';
import { describe } from '../../errors.js';
import { resolveImage } from '../../image/images.js';
import { imageStore, type EngineGlobals } from '../context.js';

export function imageInspectCommand(g: EngineGlobals, images: string[]): number {
  const store = imageStore(g);
  const out: unknown[] = [];
  let status = 0;
  for (const name of images) {
    try {
      out.push(imageInspectJson(store, resolveImage(store, name)));
    } catch (err) {
      process.stderr.write(`Error: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  process.stdout.write(JSON.stringify(out, null, 4) + '\n');
  return status;
}
