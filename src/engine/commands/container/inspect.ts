// skiff inspect [--type container|image|volume|network] [-f TEMPLATE] NAME...:
// Docker's JSON view of each object (engine/views.ts through the engine
// core), looked up as docker does: a container first, then an image, a
// volume, a network.
import { SkiffError, describe, kindOf } from '../../../errors.js';
import { renderTemplate } from '../../../util/template.js';
import type { EngineGlobals } from '../../context.js';
import type { Engine } from '../../core/engine.js';
import { cliEngine } from '../engine.js';

const TYPES = ['container', 'image', 'volume', 'network'] as const;
type Kind = (typeof TYPES)[number];

/** The object of that kind and name; undefined when there is none (any other error goes up). */
async function lookup(core: Engine, kind: Kind, name: string): Promise<unknown> {
  try {
    switch (kind) {
      case 'container': return await core.containerInspect(name);
      case 'image': return core.imageInspect(name);
      case 'volume': return core.volumeInspect(name);
      case 'network': return core.networkInspect(name);
    }
  } catch (err) {
    if (kindOf(err) === 'not-found') return undefined;
    throw err;
  }
}

export async function inspectCommand(g: EngineGlobals, names: string[], f: { type?: string; format?: string }): Promise<number> {
  if (f.type && !TYPES.includes(f.type as Kind)) throw new SkiffError(`"${f.type}" is not a valid value for --type (container, image, volume, network)`, 'invalid');
  const core = cliEngine(g);
  const kinds = f.type ? [f.type as Kind] : TYPES;
  const out: unknown[] = [];
  let status = 0;
  for (const name of names) {
    try {
      let found: unknown;
      for (const kind of kinds) if ((found = await lookup(core, kind, name)) !== undefined) break;
      if (found === undefined) throw new SkiffError(f.type === 'container' ? `No such container: ${name}` : `No such object: ${name}`, 'not-found');
      out.push(found);
    } catch (err) {
      process.stderr.write(`Error: ${describe(err as Error)}\n`);
      status = 1;
    }
  }
  if (f.format) process.stdout.write(out.map((o) => renderTemplate(f.format!, o) + '\n').join(''));
  else process.stdout.write(JSON.stringify(out, null, 4) + '\n');
  return status;
}
