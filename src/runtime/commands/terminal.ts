// What the runtime's and the engine's CLIs do around a process they wait
// for: relay its pty to our terminal (as `runc run` does) and pass our
// signals on to it. The runtime library does neither: it takes these as
// callbacks (ExecOptions.relayTerminal, whileRunning), so that a program
// embedding it keeps its own terminal and signal handlers.
import tty from 'node:tty';
import { native } from '../../native.js';

/** Signals `run` and `exec` pass on to the process they wait for. */
export const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Our signals go to `pid` until the returned function is called. */
export function forwardSignals(pid: number): () => void {
  const forward = (sig: NodeJS.Signals) => { try { process.kill(pid, sig); } catch { /* exited */ } };
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  return () => { for (const sig of FORWARDED_SIGNALS) process.off(sig, forward); };
}

/** Relays master <-> our stdio; resolves when the container side closes. */
export function relayTerminal(master: number): { done: Promise<void>; stop: () => void } {
  const term = new tty.ReadStream(master) as tty.ReadStream & NodeJS.WritableStream;
  const stdin = process.stdin;
  const resize = () => {
    if (process.stdout.isTTY) native().setWinsize(master, process.stdout.rows, process.stdout.columns);
  };
  if (stdin.isTTY) stdin.setRawMode(true);
  resize();
  process.on('SIGWINCH', resize);
  stdin.pipe(term);
  term.pipe(process.stdout, { end: false });
  const done = new Promise<void>((resolve) => {
    // EIO on read is how a pty master reports that every slave fd closed.
    term.on('error', () => resolve());
    term.on('end', () => resolve());
    term.on('close', () => resolve());
  });
  const stop = () => {
    process.off('SIGWINCH', resize);
    stdin.unpipe(term);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    term.destroy();
  };
  return { done, stop };
}

/** After the process exited: let the last output through, briefly. */
export async function drainTerminal(relay: ReturnType<typeof relayTerminal>): Promise<void> {
  await Promise.race([relay.done, new Promise((r) => setTimeout(r, 500))]);
}
