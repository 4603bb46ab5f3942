// skiff load [-i FILE]: a docker-archive or OCI layout tarball, from a file
// or standard input.
import { createReadStream } from 'node:fs';
import { SkiffError } from '../../errors.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function loadCommand(g: EngineGlobals, f: { input?: string; quiet?: boolean }): Promise<void> {
  if (!f.input && process.stdin.isTTY) throw new SkiffError('requested load from stdin, but stdin is empty (use -i FILE)', 'invalid');
  const input = f.input ? createReadStream(f.input) : process.stdin;
  input.on('error', () => { /* reported by the read below */ });
  const lines = await cliEngine(g).imageLoad(input as AsyncIterable<Buffer>);
  if (!f.quiet) process.stdout.write(lines.map((l) => l + '\n').join(''));
}
