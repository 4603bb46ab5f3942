// skiff attach CONTAINER: to a running container's streams (attached.ts).
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { engine, isActive, refresh } from '../../lifecycle.js';
import { attachClient, relay } from './attached.js';

/** skiff attach NAME: to a running container; exit or Ctrl-D ends it, Ctrl-P Ctrl-Q leaves it running. */
export async function attachCommand(g: EngineGlobals, name: string, f: { stdin?: boolean; detachKeys?: string; sigProxy?: boolean }): Promise<number> {
  const e = engine(g);
  const found = e.containers.find(name);
  const c = await refresh(e, found.Id);
  if (!c || !isActive(c)) throw new SkiffError('You cannot attach to a stopped container, start it first', 'conflict');
  const client = attachClient(g.root, c, { stdin: f.stdin !== false && c.Config.OpenStdin, claim: false, detachKeys: f.detachKeys });
  await client.connect();
  const result = await relay(e, c, client, f.sigProxy);
  return 'detached' in result ? 0 : result.exitCode;
}
