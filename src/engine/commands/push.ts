// skiff push [-a|--all-tags] [-q] [--compression gzip|zstd] NAME[:TAG]
import { push } from '../../image/push.js';
import { COMPRESSIONS, type Compression } from '../../image/compression.js';
import { SkiffError } from '../../errors.js';
import { progressFor } from '../progress.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { insecureRegistries } from './pull.js';

export async function pushCommand(g: EngineGlobals, name: string, f: { allTags?: boolean; quiet?: boolean; compression?: string }): Promise<void> {
  if (f.compression && !COMPRESSIONS.includes(f.compression as Compression)) throw new SkiffError(`unknown compression ${JSON.stringify(f.compression)}: use gzip or zstd`);
  const pushed = await push(imageStore(g), name, {
    allTags: f.allTags,
    compression: f.compression as Compression | undefined,
    insecure: insecureRegistries(g.root),
    progress: progressFor(process.stdout, !!f.quiet),
  });
  // docker push -q prints what was pushed, one reference a line.
  if (f.quiet) for (const p of pushed) process.stdout.write(`${name.replace(/:[^/:]+$/, '')}:${p.tag}\n`);
}
