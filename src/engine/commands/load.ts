// skiff load [-i FILE]: a docker-archive or OCI layout tarball, from a file
// or standard input.
import { createReadStream } from 'node:fs';
import { SkiffError } from '../../errors.js';
import { loadArchive } from '../../image/load.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { recordEvent } from '../events.js';

export async function loadCommand(g: EngineGlobals, f: { input?: string; quiet?: boolean }): Promise<void> {
  if (!f.input && process.stdin.isTTY) throw new SkiffError('requested load from stdin, but stdin is empty (use -i FILE)');
  const input = f.input ? createReadStream(f.input) : process.stdin;
  input.on('error', () => { /* reported by the read below */ });
  const lines = await loadArchive(imageStore(g), input as AsyncIterable<Buffer>);
  for (const l of lines) { const name = l.replace(/^Loaded image( ID)?: /, ''); recordEvent(g.root, 'image', 'load', name, { name }); }
  if (!f.quiet) process.stdout.write(lines.map((l) => l + '\n').join(''));
}
