// skiff export [-o FILE] CONTAINER: the container's whole root filesystem as a tar (stdout, or -o FILE).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export async function exportCommand(g: EngineGlobals, name: string, f: { output?: string }): Promise<void> {
  if (!f.output && process.stdout.isTTY) throw new SkiffError('cowardly refusing to write a tar archive to a terminal: use -o or redirect stdout', 'invalid');
  const core = cliEngine(g);
  await core.containerInspect(name); // a missing container fails before -o makes a file
  const out = f.output ? createWriteStream(f.output, { mode: 0o644 }) : process.stdout;
  await core.containerExport(name, out);
  if (f.output) {
    out.end();
    await once(out, 'close');
  }
}
