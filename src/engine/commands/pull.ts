// skiff pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]
import { pull, parsePlatform } from '../../image/pull.js';
import { canonicalString, familiarString, parseReference } from '../../image/reference.js';
import { progressFor } from '../progress.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { readDaemonConfig } from '../daemonConfig.js';
import { startTrace, type CourseFlags } from '../../util/courseFlags.js';

/** Registries reached over plain HTTP besides loopback: SKIFF_INSECURE_REGISTRIES, daemon.json. */
export function insecureRegistries(root: string): string[] {
  return readDaemonConfig(root).insecureRegistries;
}

export async function pullCommand(g: EngineGlobals, name: string, f: { platform?: string; quiet?: boolean } & CourseFlags): Promise<void> {
  startTrace(f, 'engine');
  const store = imageStore(g);
  const ref = parseReference(name);
  const result = await pull(store, name, {
    platform: f.platform ? parsePlatform(f.platform) : undefined,
    insecure: insecureRegistries(g.root),
    progress: progressFor(process.stdout, !!f.quiet),
  });
  if (!f.quiet) {
    process.stdout.write(`Digest: ${result.digest}\n`);
    process.stdout.write(result.fresh ? `Status: Downloaded newer image for ${familiarString(ref)}\n` : `Status: Image is up to date for ${familiarString(ref)}\n`);
  }
  process.stdout.write(`${canonicalString(ref)}\n`);
}
