// skiff run: (pull) + create + start + attach, through the container's
// monitor socket (attached.ts). Exits with the container's code, or 125
// (skiff's own error), 126 (not executable), 127 (not found), as docker run.
import { describe } from '../../../errors.js';
import { trace } from '../../../util/trace.js';
import { startTrace, type CourseFlags } from '../../../util/courseFlags.js';
import { hostConfigOf, type ContainerRecord } from '../../containers.js';
import type { EngineGlobals } from '../../context.js';
import { engine, exitCodeFor, rmContainer, startContainer, type Engine } from '../../lifecycle.js';
import { afterAttach, attachClient, relay } from './attached.js';
import { createContainer, type CreateFlags } from './create.js';

export interface RunFlags extends CreateFlags, CourseFlags { detach?: boolean; detachKeys?: string; sigProxy?: boolean }

/** run = (pull) + create + start + attach; returns the container's exit code, or 125/126/127. */
export async function runCommand(g: EngineGlobals, image: string, command: string[], f: RunFlags): Promise<number> {
  startTrace(f, 'engine');
  trace('run: begin');
  // docker run -it refuses a stdin that is not a terminal, before creating anything (exit 1).
  if (f.tty && f.interactive && !process.stdin.isTTY) {
    process.stderr.write('the input device is not a TTY\n');
    return 1;
  }
  const e = engine(g);
  const c = await createContainer(g, image, command, f);
  trace('run: container record created');
  if (f.detach) {
    const started = await startOrFail(e, c, {});
    if (typeof started === 'number') return started;
    process.stdout.write(c.Id + '\n');
    return 0;
  }
  const client = attachClient(g.root, c, { stdin: !!f.interactive, claim: true, detachKeys: f.detachKeys });
  const started = await startOrFail(e, c, { beforeStart: () => client.connect(), terminalSize: process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined });
  if (typeof started === 'number') return started;
  const result = await relay(e, c, client, f.sigProxy);
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

