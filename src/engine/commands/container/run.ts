// skiff run, start and attach: starting containers and attaching to them
// through their monitor's socket (src/engine/attach.ts).
import { SkiffError, describe } from '../../../errors.js';
import { trace } from '../../../util/trace.js';
import * as runtime from '../../../runtime/lifecycle.js';
import { AttachClient, parseDetachKeys, type AttachResult } from '../../attach.js';
import { hostConfigOf, type ContainerRecord } from '../../containers.js';
import type { EngineGlobals } from '../../context.js';
import { engine, exitCodeFor, finishContainer, isActive, refresh, rmContainer, startContainer, type Engine } from '../../lifecycle.js';
import { createContainer, type CreateFlags } from './create.js';

export interface RunFlags extends CreateFlags { detach?: boolean; detachKeys?: string; sigProxy?: boolean }

const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

function attachClient(e: Engine, c: ContainerRecord, o: { stdin: boolean; claim: boolean; detachKeys?: string; sigProxy?: boolean }): AttachClient {
  return new AttachClient(c.Id, {
    stdin: o.stdin, tty: c.Config.Tty,
    // The foreground command finishes the container itself (faster than the
    // monitor's exit command), unless a restart policy needs the monitor to.
    claimCleanup: o.claim && hostConfigOf(c).RestartPolicy.Name === 'no',
    detachKeys: parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS),
    proxySignal: o.sigProxy === false ? undefined : (sig) => {
      void runtime.kill(e.runtime, c.Id, sig, false).catch(() => { /* exited meanwhile */ });
    },
  });
}

/** After an attached run: the exit code, with the container finished if we claimed it. */
async function afterAttach(e: Engine, c: ContainerRecord, result: AttachResult, claimed: boolean): Promise<number> {
  if ('detached' in result) return 0;
  if (claimed) await finishContainer(e, c.Id);
  return result.exitCode;
}

/** run = (pull) + create + start + attach; returns the container's exit code, or 125/126/127. */
export async function runCommand(g: EngineGlobals, image: string, command: string[], f: RunFlags): Promise<number> {
  trace('run: begin');
  const e = engine(g);
  const c = await createContainer(g, image, command, { ...f, stdinOnce: !!f.interactive && !f.detach });
  trace('run: container record created');
  if (f.detach) {
    const started = await startOrFail(e, c, {});
    if (typeof started === 'number') return started;
    process.stdout.write(c.Id + '\n');
    return 0;
  }
  const client = attachClient(e, c, { stdin: !!f.interactive, claim: true, detachKeys: f.detachKeys, sigProxy: f.sigProxy });
  const started = await startOrFail(e, c, { beforeStart: () => client.connect() });
  if (typeof started === 'number') return started;
  const result = await client.run();
  return afterAttach(e, c, result, hostConfigOf(c).RestartPolicy.Name === 'no');
}

/** A failed start: its one sentence, its docker exit code, and --rm honoured. */
async function startOrFail(e: Engine, c: ContainerRecord, hooks: Parameters<typeof startContainer>[2]): Promise<ContainerRecord | number> {
  try {
    return await startContainer(e, c.Id, hooks);
  } catch (err) {
    if (hostConfigOf(c).AutoRemove) await rmContainer(e, c.Id, true, true).catch(() => undefined);
    process.stderr.write(`skiff: Error response from daemon: failed to start container "${c.Name.slice(1)}": ${describe(err as Error)}\n`);
    return exitCodeFor(err as Error);
  }
}

/** skiff start [-a] [-i] NAME...: prints each name (without -a), as docker does. */
export async function startCommand(g: EngineGlobals, names: string[], f: { attach?: boolean; interactive?: boolean; detachKeys?: string }): Promise<number> {
  const e = engine(g);
  if ((f.attach || f.interactive) && names.length > 1) throw new SkiffError('you cannot start and attach multiple containers at once', 'invalid');
  let status = 0;
  for (const name of names) {
    try {
      const c = e.containers.find(name);
      if (f.attach || f.interactive) {
        const stdin = !!f.interactive && c.Config.OpenStdin;
        const client = attachClient(e, c, { stdin, claim: true, detachKeys: f.detachKeys });
        if (isActive(c)) {
          await client.connect();
        } else {
          await startContainer(e, c.Id, { beforeStart: () => client.connect() });
        }
        const result = await client.run();
        return afterAttach(e, c, result, !isActive(c) && hostConfigOf(c).RestartPolicy.Name === 'no');
      }
      await startContainer(e, c.Id);
      process.stdout.write(name + '\n');
    } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      status = exitCodeFor(err as Error) === 125 ? 1 : exitCodeFor(err as Error);
    }
  }
  if (status) process.stderr.write(`Error: failed to start containers: ${names.join(', ')}\n`);
  return status;
}

/** skiff attach NAME: to a running container; exit or Ctrl-D ends it, Ctrl-P Ctrl-Q leaves it running. */
export async function attachCommand(g: EngineGlobals, name: string, f: { stdin?: boolean; detachKeys?: string; sigProxy?: boolean }): Promise<number> {
  const e = engine(g);
  const found = e.containers.find(name);
  const c = await refresh(e, found.Id);
  if (!c || !isActive(c)) throw new SkiffError('You cannot attach to a stopped container, start it first', 'conflict');
  const client = attachClient(e, c, { stdin: f.stdin !== false && c.Config.OpenStdin, claim: false, detachKeys: f.detachKeys, sigProxy: f.sigProxy });
  await client.connect();
  const result = await client.run();
  return 'detached' in result ? 0 : result.exitCode;
}
