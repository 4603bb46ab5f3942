// The monitor's exit command (hidden: skiff container cleanup ID), and port.
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { engine, finishContainer, isActive, refresh } from '../../lifecycle.js';

/** Runs after each exit of a container started with -d (or detached from): finish, restart, --rm. */
export async function cleanupCommand(g: EngineGlobals, id: string, o: { setupFd?: string }): Promise<void> {
  await finishContainer(engine(g), id, { setupFd: o.setupFd !== undefined ? Number(o.setupFd) : undefined });
}

/** skiff port NAME [PORT[/proto]]: "80/tcp -> 0.0.0.0:32769" lines, as the seeds show. */
export async function portCommand(g: EngineGlobals, name: string, port?: string): Promise<void> {
  const e = engine(g);
  const c = await refresh(e, e.containers.find(name).Id);
  const ports = (c && isActive(c) ? c.NetworkSettings?.Ports : undefined) ?? {};
  const wanted = port ? (port.includes('/') ? port : `${port}/tcp`) : undefined;
  if (wanted && !ports[wanted]?.length) throw new SkiffError(`No public port '${wanted}' published for ${c?.Name.slice(1) ?? name}`);
  const lines = Object.entries(ports).filter(([p]) => !wanted || p === wanted)
    .flatMap(([p, bs]) => bs.map((b) => (wanted ? `${b.HostIp}:${b.HostPort}` : `${p} -> ${b.HostIp}:${b.HostPort}`)));
  process.stdout.write(lines.map((l) => l + '\n').join(''));
}
