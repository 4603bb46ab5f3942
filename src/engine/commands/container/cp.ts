// skiff cp CONTAINER:SRC DEST | SRC CONTAINER:DEST: copy between a container and the host.
import { resolve } from 'node:path';
import { SkiffError } from '../../../errors.js';
import { splitContainerPath } from '../../changes.js';
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export async function cpCommand(g: EngineGlobals, from: string, to: string): Promise<void> {
  const src = splitContainerPath(from);
  const dest = splitContainerPath(to);
  if (!!src === !!dest) throw new SkiffError('copying between containers or between host paths is not supported: one side must be CONTAINER:PATH', 'invalid');
  const contentOnly = (p: string) => p.endsWith('/.');
  const core = cliEngine(g);
  if (src) await core.containerArchiveGet(src.container, src.path, resolve(to), contentOnly(src.path));
  else await core.containerArchivePut(dest!.container, resolve(from), dest!.path, contentOnly(from));
}
