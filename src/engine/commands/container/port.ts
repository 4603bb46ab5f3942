// skiff port CONTAINER [PORT[/proto]]: "80/tcp -> 0.0.0.0:32769" lines, as the seeds show.
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { isActive } from '../../lifecycle.js';
import { cliEngine } from '../engine.js';

export async function portCommand(g: EngineGlobals, name: string, port?: string): Promise<void> {
  const c = await cliEngine(g).containerInspect(name);
  const ports = (isActive(c) ? c.NetworkSettings?.Ports : undefined) ?? {};
  const wanted = port ? (port.includes('/') ? port : `${port}/tcp`) : undefined;
  if (wanted && !ports[wanted]?.length) throw new SkiffError(`No public port '${wanted}' published for ${c.Name.slice(1)}`, 'not-found');
  const lines = Object.entries(ports).filter(([p]) => !wanted || p === wanted)
    .flatMap(([p, bs]) => bs.map((b) => (wanted ? `${b.HostIp}:${b.HostPort}` : `${p} -> ${b.HostIp}:${b.HostPort}`)));
  process.stdout.write(lines.map((l) => l + '\n').join(''));
}
