// What run, start -a and attach share: a client of the container's monitor
// socket (engine/attach.ts) wired to our terminal, our signals passed on to
// the container, and the end of an attached run. The terminal and the
// signals are the CLI's: the engine never touches the process.
import { recordContainerEvent } from '../../events.js';
import * as runtime from '../../../runtime/index.js';
import { AttachClient, parseDetachKeys, type AttachResult, type AttachStreams } from '../../attach.js';
import { hostConfigOf, type ContainerRecord } from '../../containers.js';
import { finishContainer, type Engine } from '../../lifecycle.js';

const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

export function attachClient(root: string, c: ContainerRecord, o: { stdin: boolean; claim: boolean; detachKeys?: string }): AttachClient {
  recordContainerEvent(root, c, 'attach');
  return new AttachClient(c.Id, {
    stdin: o.stdin, tty: c.Config.Tty,
    // The foreground command finishes the container itself (faster than the
    // monitor's exit command), unless a restart policy needs the monitor to.
    claimCleanup: o.claim && hostConfigOf(c).RestartPolicy.Name === 'no',
    detachKeys: parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS),
  });
}

/**
 * Our terminal, as the streams an attached container reads and writes.
 * stdin is a getter: Node makes process.stdin on first use, and a warm
 * worker whose command made it cannot serve another (docs/warm-path.md):
 * a `run` without -i must not touch it.
 */
export function terminalStreams(): AttachStreams {
  return {
    stdout: process.stdout, stderr: process.stderr, get stdin() { return process.stdin; },
    terminal: process.stdout.isTTY ? {
      size: () => ({ rows: process.stdout.rows, columns: process.stdout.columns }),
      onResize: (listener) => { process.stdout.on('resize', listener); return () => process.stdout.off('resize', listener); },
    } : undefined,
  };
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Relays until the container exits or we detach. Without a TTY our signals
 * go to the container (docker's --sig-proxy; with a TTY the terminal sends
 * them as keys).
 */
export async function relay(e: Engine, c: ContainerRecord, client: AttachClient, sigProxy: boolean | undefined): Promise<AttachResult> {
  const proxy = (sig: NodeJS.Signals) => { void runtime.kill(e.runtime, c.Id, sig, false).catch(() => { /* exited meanwhile */ }); };
  const proxied = sigProxy !== false && !c.Config.Tty;
  if (proxied) for (const s of PROXIED_SIGNALS) process.on(s, proxy);
  try {
    return await client.run(terminalStreams());
  } finally {
    if (proxied) for (const s of PROXIED_SIGNALS) process.off(s, proxy);
  }
}

/** After an attached run: the exit code, with the container finished if we claimed it. */
export async function afterAttach(e: Engine, c: ContainerRecord, result: AttachResult, claimed: boolean): Promise<number> {
  if ('detached' in result) return 0;
  if (claimed) await finishContainer(e, c.Id, { exitCode: result.exitCode });
  return result.exitCode;
}

