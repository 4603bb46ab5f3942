// skiff stop, restart, kill, wait, rm, top, port: commands over running containers.
// Like docker they take several names, print each one done, and go on past
// a failure (exit status 1 at the end).
import { describe, SkiffError } from '../../../errors.js';
import { psCommand as runtimePs } from '../../../runtime/commands/ps.js';
import type { EngineGlobals } from '../../context.js';
import { engine, isActive, killContainer, refresh, rmContainer, startContainer, stopContainer, waitStopped, type Engine } from '../../lifecycle.js';

async function eachName(names: string[], act: (e: Engine, id: string, name: string) => Promise<string | undefined>, g: EngineGlobals): Promise<number> {
  const e = engine(g);
  let status = 0;
  for (const name of names) {
    try {
      const id = e.containers.find(name).Id;
      const out = await act(e, id, name);
      if (out !== undefined) process.stdout.write(out + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  return status;
}

function timeoutOf(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw new SkiffError(`invalid --time ${JSON.stringify(t)}: use whole seconds`, 'invalid');
  return n;
}

export function stopCommand(g: EngineGlobals, names: string[], f: { time?: string; signal?: string }): Promise<number> {
  const t = timeoutOf(f.time);
  return eachName(names, async (e, id, name) => { await stopContainer(e, id, t, f.signal); return name; }, g);
}

export function restartCommand(g: EngineGlobals, names: string[], f: { time?: string }): Promise<number> {
  const t = timeoutOf(f.time);
  return eachName(names, async (e, id, name) => {
    await stopContainer(e, id, t);
    await startContainer(e, id);
    return name;
  }, g);
}

export function killCommand(g: EngineGlobals, names: string[], f: { signal?: string }): Promise<number> {
  return eachName(names, async (e, id, name) => { await killContainer(e, id, f.signal ?? 'KILL'); return name; }, g);
}

/** skiff wait: blocks until each container stops, prints its exit code. */
export function waitCommand(g: EngineGlobals, names: string[]): Promise<number> {
  return eachName(names, async (e, id) => {
    await waitStopped(e, id, Number.MAX_SAFE_INTEGER);
    const c = e.containers.get(id);
    return String(c?.State.ExitCode ?? 0);
  }, g);
}

export function rmCommand(g: EngineGlobals, names: string[], f: { force?: boolean; volumes?: boolean }): Promise<number> {
  return eachName(names, async (e, id, name) => { await rmContainer(e, id, !!f.force, !!f.volumes); return name; }, g);
}

/** skiff top NAME [ps OPTIONS]: ps(1) lines of the container's processes (default -ef). */
export async function topCommand(g: EngineGlobals, name: string, psArgs: string[]): Promise<void> {
  const e = engine(g);
  const c = await refresh(e, e.containers.find(name).Id);
  if (!c || !isActive(c)) throw new SkiffError(`container ${name} is not running`, 'conflict');
  runtimePs({ root: e.runtime.root, logFormat: 'text', debug: false, systemdCgroup: false }, c.Id, psArgs, { format: 'table' });
}
