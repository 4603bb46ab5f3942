// POST /images/create?fromImage=: an image from a registry, with its
// progress (per layer: "Pulling fs layer", "Downloading", "Pull complete")
// reported to the progress sink as it happens. Two pulls of one image at
// once share the layers (one fetch per layer across processes: image/pull.ts).
import { pull, parsePlatform, type Progress } from '../../../image/pull.js';
import { canonicalString, familiarString, parseReference, type Reference } from '../../../image/reference.js';
import { recordEvent } from '../../events.js';
import type { PullProgressEvent } from '../../api-types.js';
import { insecureRegistries } from '../../daemonConfig.js';
import type { Credentials } from '../../../image/registry.js';
import type { CoreContext } from '../context.js';

export interface PullOptions {
  /** os/arch[/variant] from a multi-platform image. */
  platform?: string;
  /** Each progress step, as the API's JSON progress lines. */
  onProgress?: (e: PullProgressEvent) => void;
  /** A printer of progress (the CLI's), instead of onProgress. */
  progress?: Progress;
  /** Registry credentials (an API client's X-Registry-Auth) instead of docker login's. */
  credentials?: Credentials;
  /** The caller gave up (an API client that went away): the pull stops, and what it fetched is collected. */
  signal?: AbortSignal;
}

export interface PullResult { id: string; digest: string; reference: string; fresh: boolean }

/** Progress steps as the API's JSON lines. */
export function progressEvents(emit: (e: PullProgressEvent) => void): Progress {
  return {
    layer: (id, status, current, total) => emit({ status, id, ...(current !== undefined ? { progressDetail: { current, total } } : {}) }),
    line: (status) => emit({ status }),
  };
}

/** The last lines of a pull, as docker prints and streams them: the digest and whether the tag moved. */
export function pullStatus(ref: Reference, result: { digest: string; fresh: boolean }): string[] {
  const status = result.fresh ? `Downloaded newer image for ${familiarString(ref)}` : `Image is up to date for ${familiarString(ref)}`;
  return [`Digest: ${result.digest}`, `Status: ${status}`];
}

export async function imagePull(ctx: CoreContext, name: string, o: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(name);
  const progress = o.progress ?? progressEvents(o.onProgress ?? (() => {}));
  const result = await pull(ctx.images, name, {
    platform: o.platform ? parsePlatform(o.platform) : undefined,
    insecure: insecureRegistries(ctx.root, ctx.insecureRegistries),
    credentials: o.credentials,
    progress,
    signal: o.signal,
  });
  recordEvent(ctx.root, 'image', 'pull', familiarString(ref), { name: familiarString(ref) });
  return { id: result.record.id, digest: result.digest, reference: canonicalString(ref), fresh: result.fresh };
}
