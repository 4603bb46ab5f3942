// skiff top CONTAINER [ps OPTIONS]: ps(1) lines of the container's processes (default -ef).
import { SkiffError } from '../../../errors.js';
import { psCommand as runtimePs } from '../../../runtime/commands/ps.js';
import type { EngineGlobals } from '../../context.js';
import { isActive } from '../../lifecycle.js';
import { runtimeRoot } from '../../core/context.js';
import { cliEngine } from '../engine.js';

export async function topCommand(g: EngineGlobals, name: string, psArgs: string[]): Promise<void> {
  const c = await cliEngine(g).containerInspect(name);
  if (!isActive(c)) throw new SkiffError(`container ${name} is not running`, 'conflict');
  runtimePs({ root: runtimeRoot(g.root), logFormat: 'text', debug: false, systemdCgroup: false }, c.Id, psArgs, { format: 'table' });
}
