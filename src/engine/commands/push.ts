// skiff push [-a|--all-tags] [-q] [--compression gzip|zstd] NAME[:TAG]
import { progressFor } from '../progress.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function pushCommand(g: EngineGlobals, name: string, f: { allTags?: boolean; quiet?: boolean; compression?: string }): Promise<void> {
  const pushed = await cliEngine(g).imagePush(name, { allTags: f.allTags, compression: f.compression, progress: progressFor(process.stdout, !!f.quiet) });
  // docker push -q prints what was pushed, one reference a line.
  if (f.quiet) for (const p of pushed) process.stdout.write(`${name.replace(/:[^/:]+$/, '')}:${p.tag}\n`);
}
