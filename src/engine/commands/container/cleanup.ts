// The monitor's exit command (hidden: skiff container cleanup ID), and port.
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { engine, finishContainer } from '../../lifecycle.js';

/** Runs after each exit of a container started with -d (or detached from): finish, restart, --rm. */
export async function cleanupCommand(g: EngineGlobals, id: string, o: { setupFd?: string }): Promise<void> {
  await finishContainer(engine(g), id, { setupFd: o.setupFd !== undefined ? Number(o.setupFd) : undefined });
}

/** skiff port: published ports. Networking (issue 7) publishes none yet. */
export function portCommand(g: EngineGlobals, name: string, port?: string): void {
  const c = engine(g).containers.find(name);
  if (port) throw new SkiffError(`No public port '${port.includes('/') ? port : port + '/tcp'}' published for ${c.Name.slice(1)}`);
}
