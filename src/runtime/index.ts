// skiff's OCI runtime as a library (`import ... from 'skiff/runtime'`): the
// operations of `skiff-runtime` (runc's), on a state root, for an engine or
// any program. What a CLI adds stays in the CLI (runtime/commands/terminal.ts):
// passing its signals on (ExecOptions.whileRunning), relaying a pty to its
// terminal (ExecOptions.relayTerminal, Created.master), printing. The
// terminal size is passed in (terminalSize), warnings go to
// RuntimeOptions.warn. The engine uses this facade, not the runtime's state files.
import { SkiffError } from '../errors.js';
import * as life from './lifecycle.js';
import { StateStore, type Status } from './state.js';
import type { Spec } from './spec.js';

export type { RuntimeOptions, CreateOptions, Created, OciState, ExecOptions } from './lifecycle.js';
export type { Status } from './state.js';
export type { Spec } from './spec.js';
export { parseSignal } from './lifecycle.js';

/** create: the container's init set up and blocked before exec (runtime.md "Lifecycle"). */
export const create = life.create;
/** start: release the init to run the user's program. */
export const start = life.start;
/** kill: a signal to the init, or with all to every process of the container. */
export const kill = life.kill;
/** delete: remove what create made (force: kill a running container first). */
export const remove = life.remove;
/** exec: one more process in the container; its exit status unless detached. */
export const exec = life.exec;
/** pause/resume: the cgroup freezer. */
export const pause = life.pause;
export const resume = life.resume;
/** update: new resource limits for a live container. */
export const update = life.update;
/** list: the OCI state of every container. */
export const list = life.listStates;
/** stats: cgroup statistics and OOM kills. */
export const stats = life.containerStats;

/** state: the OCI state JSON. */
export function state(opts: life.RuntimeOptions, id: string): life.OciState {
  return life.ociState(new StateStore(opts.root), id);
}

/** The container's status (stopped when it has no state: never created, or deleted). */
export function status(opts: life.RuntimeOptions, id: string, o: { locked?: boolean } = {}): Status {
  const store = new StateStore(opts.root);
  try {
    return life.statusOf(store, id, store.read(id), o.locked);
  } catch (err) {
    if (err instanceof SkiffError && err.kind === 'not-found') return 'stopped';
    throw err;
  }
}

/** The config the container was created with (exec starts from its process). */
export function spec(opts: life.RuntimeOptions, id: string): Spec {
  return life.containerSpec(new StateStore(opts.root), id);
}

/** The PIDs of every process in the container (its cgroups). */
export function pids(opts: life.RuntimeOptions, id: string): number[] {
  const rec = new StateStore(opts.root).read(id);
  if (!rec) throw new SkiffError(`container ${id} does not exist`, 'not-found');
  return life.containerPids(rec, life.cgroupsOf(undefined, rec));
}
