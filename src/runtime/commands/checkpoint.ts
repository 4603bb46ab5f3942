// skiff-runtime checkpoint / restore: runc's flags are accepted so engines
// and scripts get a clear sentence, not a usage error. Checkpointing needs
// CRIU (criu(8)); skiff-runtime does not drive it yet, and on many kernels
// CRIU itself cannot work (`criu check` fails), so both commands say which
// of the two stops them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SkiffError } from '../../errors.js';
import { StateStore } from '../state.js';
import type { Globals } from '../globals.js';

export interface CheckpointFlags { imagePath?: string; workPath?: string; parentPath?: string }

/** Why CRIU cannot be used here: not installed, or `criu check` fails on this kernel. */
export function criuProblem(): string {
  let out: string;
  try {
    out = execFileSync('criu', ['check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') return 'it needs criu, which is not installed (apt-get install criu)';
    out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  const last = out.trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? out.trim().split('\n').pop() ?? '';
  return `criu cannot work on this kernel (criu check: ${last.replace(/^\([\d.]+\)\s*/, '')})`;
}

function refuse(verb: string): never {
  const problem = criuProblem();
  throw new SkiffError(`${verb}: ${problem || 'checkpoint/restore with criu is not implemented by skiff-runtime'}`);
}

export function checkpointCommand(g: Globals, id: string, f: CheckpointFlags): void {
  new StateStore(g.root).read(id); // "container X does not exist" first
  // runc: the parent image is named relative to the image directory.
  if (f.parentPath !== undefined) {
    if (isAbsolute(f.parentPath)) throw new SkiffError(`--parent-path ${f.parentPath} must be relative to --image-path`);
    const image = resolve(f.imagePath ?? 'checkpoint');
    if (!existsSync(join(image, f.parentPath))) throw new SkiffError(`--parent-path ${f.parentPath}: ${join(image, f.parentPath)} does not exist`);
  }
  refuse('checkpoint');
}

export function restoreCommand(_g: Globals, _id: string): void {
  refuse('restore');
}
