// skiff create [OPTIONS] IMAGE [COMMAND] [ARG...]: the flags become the API's
// create request (flags.ts, as the docker CLI builds it), and the engine
// core makes the container (core/containers/create.ts). An image that is not
// here is pulled first, as the docker CLI does.
import { kindOf } from '../../../errors.js';
import { trace } from '../../../util/trace.js';
import { familiarString, parseReference } from '../../../image/reference.js';
import type { ContainerRecord } from '../../containers.js';
import { imageStore, type EngineGlobals } from '../../context.js';
import type { Engine } from '../../core/engine.js';
import { progressFor } from '../../progress.js';
import { cliEngine } from '../engine.js';
import { pullStatusLines, withTempCleanup } from '../pull.js';
import { createRequestFromFlags, type CreateFlags } from './flags.js';

export type { CreateFlags } from './flags.js';
export { parseBytes, parseRestartPolicy, parseSecurityOpts } from './flags.js';
export { mergeEnv } from '../../core/containers/create.js';

/** The image, pulled with docker's words and progress (on stderr) when it is not here. */
async function ensureImage(g: EngineGlobals, core: Engine, image: string): Promise<void> {
  try {
    core.imageInspect(image);
  } catch (err) {
    if (kindOf(err) !== 'not-found') throw err;
    process.stderr.write(`Unable to find image '${familiarString(parseReference(image))}' locally\n`);
    const result = await withTempCleanup(imageStore(g), () => core.imagePull(image, { progress: progressFor(process.stderr, false) }));
    process.stderr.write(pullStatusLines(parseReference(image), result));
  }
}

export async function createContainer(g: EngineGlobals, image: string, command: string[], f: CreateFlags): Promise<ContainerRecord> {
  const request = createRequestFromFlags(image, command, f, process.env, process.cwd());
  const core = cliEngine(g);
  await ensureImage(g, core, image);
  trace('run: image found');
  return (await core.containerCreate(request, { name: f.name })).record;
}

export async function createCommand(g: EngineGlobals, image: string, command: string[], f: CreateFlags): Promise<void> {
  const rec = await createContainer(g, image, command, f);
  process.stdout.write(rec.Id + '\n');
}
