// POST /images/{name}/push: an image (or with allTags every tag of its
// repository) to its registry; progress as pull's.
import { push, type PushOptions } from '../../../image/push.js';
import { COMPRESSIONS, type Compression } from '../../../image/compression.js';
import { SkiffError } from '../../../errors.js';
import type { PullProgressEvent } from '../../api-types.js';
import { insecureRegistries } from '../../daemonConfig.js';
import type { Credentials } from '../../../image/registry.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';
import { progressEvents } from './pull.js';
import type { Progress } from '../../../image/pull.js';

export interface ImagePushOptions {
  allTags?: boolean;
  compression?: string;
  /** Each progress step, as the API's JSON progress lines. */
  onProgress?: (e: PullProgressEvent) => void;
  /** A printer of progress (the CLI's), instead of onProgress. */
  progress?: Progress;
  /** Registry credentials (an API client's X-Registry-Auth) instead of docker login's. */
  credentials?: Credentials;
}

export type PushResult = Awaited<ReturnType<typeof push>>;

export async function imagePush(ctx: CoreContext, name: string, o: ImagePushOptions = {}): Promise<PushResult> {
  if (o.compression && !COMPRESSIONS.includes(o.compression as Compression)) throw new SkiffError(`unknown compression ${JSON.stringify(o.compression)}: use gzip or zstd`, 'invalid');
  const options: PushOptions = {
    allTags: o.allTags,
    compression: o.compression as Compression | undefined,
    insecure: insecureRegistries(ctx.root, ctx.insecureRegistries),
    credentials: o.credentials,
    progress: o.progress ?? progressEvents(o.onProgress ?? (() => {})),
  };
  const pushed = await push(ctx.images, name, options);
  recordEvent(ctx.root, 'image', 'push', name, { name });
  return pushed;
}
