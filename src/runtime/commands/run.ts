// skiff-runtime run: create + start, then (without -d) wait for the
// container, forward our signals to it, delete it and exit with its status
// (128+N when signal N killed it, as a shell reports). --keep leaves it
// stopped instead of deleting it.
import { create, remove, start } from '../lifecycle.js';
import { drainTerminal, forwardSignals, relayTerminal } from './terminal.js';
import { callerTerminalSize, runtimeOptions, type Globals } from '../globals.js';
import type { CreateFlags } from './create.js';
import { pauseHandler, startTrace } from '../../util/courseFlags.js';

export async function runCommand(g: Globals, id: string, f: CreateFlags & { detach?: boolean; keep?: boolean }): Promise<number> {
  const opts = runtimeOptions(g);
  startTrace(f, 'runtime');
  const pause = pauseHandler('skiff-runtime');
  const created = await create(opts, id, {
    bundle: f.bundle, pidFile: f.pidFile, noPivot: f.noPivot, preserveFds: f.preserveFds, wait: !f.detach,
    consoleSocket: f.consoleSocket, terminalSize: callerTerminalSize(), stopAt: f.stopAt, skipSteps: f.debugSkipStep, onPaused: pause.onPaused,
  }).finally(pause.stop);
  const relay = created.master !== undefined ? relayTerminal(created.master) : undefined;
  const stopForwarding = forwardSignals(created.record.pid);
  try {
    await start(opts, id);
    if (f.detach || !created.exited) return 0;
    const { code, signal } = await created.exited;
    if (relay) await drainTerminal(relay);
    return signal ? 128 + signal : code;
  } catch (err) {
    if (!f.detach) await remove(opts, id, true).catch(() => undefined);
    throw err;
  } finally {
    relay?.stop();
    stopForwarding();
    // --keep: the stopped container stays for `state` and `delete` (runc run --keep).
    if (!f.detach && !f.keep) await remove(opts, id, true);
  }
}
