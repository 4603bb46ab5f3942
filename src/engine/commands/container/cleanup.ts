// The monitor's exit command (hidden: skiff container cleanup ID): after
// each exit of a container started with -d (or detached from), finish it,
// restart it by its policy, or remove it (--rm).
import type { EngineGlobals } from '../../context.js';
import { engine, finishContainer } from '../../lifecycle.js';

export async function cleanupCommand(g: EngineGlobals, id: string, o: { setupFd?: string }): Promise<void> {
  await finishContainer(engine(g), id, { setupFd: o.setupFd !== undefined ? Number(o.setupFd) : undefined });
}
