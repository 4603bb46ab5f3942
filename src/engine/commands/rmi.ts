// skiff rmi [-f] IMAGE...: prints Untagged:/Deleted: lines as docker does;
// each image is tried, and a failure makes the exit status 1.
import { describe } from '../../errors.js';
import { removeImage } from '../../image/images.js';
import { containerStore, imageStore, type EngineGlobals } from '../context.js';

export async function rmiCommand(g: EngineGlobals, images: string[], f: { force?: boolean }): Promise<number> {
  const store = imageStore(g);
  const containers = containerStore(g);
  const usedBy = (id: string) => containers.usingImage(id)[0]?.Id;
  let status = 0;
  for (const image of images) {
    try {
      process.stdout.write((await removeImage(store, image, !!f.force, usedBy)).map((l) => l + '\n').join(''));
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}
