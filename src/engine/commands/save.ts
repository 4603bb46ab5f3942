// skiff save [-o FILE] IMAGE...: a docker-archive tarball to a file or stdout.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { SkiffError } from '../../errors.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function saveCommand(g: EngineGlobals, images: string[], f: { output?: string }): Promise<void> {
  if (!f.output && process.stdout.isTTY) throw new SkiffError('cowardly refusing to save to a terminal: use -o FILE or redirect stdout', 'invalid');
  const out = f.output ? createWriteStream(f.output) : process.stdout;
  await cliEngine(g).imageSave(images, out);
  if (f.output) {
    out.end();
    await once(out, 'close');
  }
}
