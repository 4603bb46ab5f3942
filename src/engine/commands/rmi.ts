// skiff rmi [-f] IMAGE...: prints Untagged:/Deleted: lines as docker does;
// each image is tried, and a failure makes the exit status 1.
import { describe } from '../../errors.js';
import { removeImage, resolveImage } from '../../image/images.js';
import { containerStore, imageStore, type EngineGlobals } from '../context.js';
import { recordEvent } from '../events.js';

export function rmiCommand(g: EngineGlobals, images: string[], f: { force?: boolean }): number {
  const store = imageStore(g);
  const containers = containerStore(g);
  const usedBy = (id: string) => containers.usingImage(id)[0]?.Id;
  let status = 0;
  for (const image of images) {
    try {
      const id = resolveImage(store, image).id;
      const lines = removeImage(store, image, !!f.force, usedBy);
      // docker: one untag event per name removed, then delete when the image went.
      for (const l of lines) recordEvent(g.root, 'image', l.startsWith('Deleted') ? 'delete' : 'untag', id, { name: l.startsWith('Deleted') ? id : l.replace(/^Untagged: /, '') });
      process.stdout.write(lines.map((l) => l + '\n').join(''));
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}
