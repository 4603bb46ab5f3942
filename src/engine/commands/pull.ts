// skiff pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]
import { pull, parsePlatform } from '../../image/pull.js';
import { canonicalString, familiarString, parseReference, type Reference } from '../../image/reference.js';
import type { ImageStore } from '../../image/store.js';
import { progressFor } from '../progress.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { readDaemonConfig } from '../daemonConfig.js';
import { recordEvent } from '../events.js';
import { startTrace, type CourseFlags } from '../../util/courseFlags.js';

/** Registries reached over plain HTTP besides loopback: SKIFF_INSECURE_REGISTRIES, daemon.json. */
export function insecureRegistries(root: string): string[] {
  return readDaemonConfig(root).insecureRegistries;
}

/**
 * Runs a pull; Ctrl-C or SIGTERM meanwhile removes this process's temp
 * files (partial blobs and layers) and then ends it by that signal.
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
  const status = result.fresh ? `Downloaded newer image for ${familiarString(ref)}` : `Image is up to date for ${familiarString(ref)}`;
  return `Digest: ${result.digest}\nStatus: ${status}\n`;
}

export async function pullCommand(g: EngineGlobals, name: string, f: { platform?: string; quiet?: boolean } & CourseFlags): Promise<void> {
  startTrace(f, 'engine');
  const store = imageStore(g);
  const ref = parseReference(name);
  const result = await withTempCleanup(store, () => pull(store, name, {
    platform: f.platform ? parsePlatform(f.platform) : undefined,
    insecure: insecureRegistries(g.root),
    progress: progressFor(process.stdout, !!f.quiet),
  }));
  recordEvent(g.root, 'image', 'pull', familiarString(ref), { name: familiarString(ref) });
  if (!f.quiet) process.stdout.write(pullStatusLines(ref, result));
  process.stdout.write(`${canonicalString(ref)}\n`);
}
