// skiff image inspect IMAGE...: a JSON array in the shape of the Docker
// Engine API's ImageInspect (the fields the CLI and SDKs read).
import { describe } from '../../errors.js';
import { resolveImage, repoTags } from '../../image/images.js';
import type { ImageRecord, ImageStore } from '../../image/store.js';
import { imageStore, type EngineGlobals } from '../context.js';

export function imageInspectJson(store: ImageStore, rec: ImageRecord) {
  return {
    Id: rec.id,
    RepoTags: repoTags(store, rec.id),
    RepoDigests: rec.repoDigests,
    Parent: '',
    Comment: rec.config.history?.at(-1)?.comment ?? '',
    Created: rec.config.created ?? '',
    Author: rec.config.author ?? '',
    Config: { Volumes: null, ...(rec.config.config ?? {}) },
    Architecture: rec.config.architecture ?? '',
    Variant: rec.config.variant,
    Os: rec.config.os ?? '',
    Size: rec.size,
    RootFS: { Type: 'layers', Layers: rec.config.rootfs.diff_ids },
    Metadata: { LastTagTime: rec.loadedAt },
  };
}

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
