// skiff pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]
import { parseReference, type Reference } from '../../image/reference.js';
import { pullStatus } from '../core/images/pull.js';
import type { ImageStore } from '../../image/store.js';
import { progressFor } from '../progress.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';
import { startTrace, type CourseFlags } from '../../util/courseFlags.js';

/**
 * Runs a pull; Ctrl-C or SIGTERM meanwhile removes this process's temp
 * files (partial blobs and layers) and then ends it by that signal. The
 * CLI's: the engine core handles no signals.
 */
export async function withTempCleanup<T>(store: ImageStore, work: () => Promise<T>): Promise<T> {
  const onSignal = (sig: NodeJS.Signals) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    store.removeOwnTemp();
    process.kill(process.pid, sig);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/** docker pull's last lines: the digest and whether the tag moved. */
export function pullStatusLines(ref: Reference, result: { digest: string; fresh: boolean }): string {
  return pullStatus(ref, result).map((l) => l + '\n').join('');
}

export async function pullCommand(g: EngineGlobals, name: string, f: { platform?: string; quiet?: boolean } & CourseFlags): Promise<void> {
  startTrace(f, 'engine');
  const ref = parseReference(name);
  const core = cliEngine(g);
  const result = await withTempCleanup(imageStore(g), () => core.imagePull(name, { platform: f.platform, progress: progressFor(process.stdout, !!f.quiet) }));
  if (!f.quiet) process.stdout.write(pullStatusLines(ref, result));
  process.stdout.write(`${result.reference}\n`);
}
