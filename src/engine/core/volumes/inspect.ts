// GET /volumes/{name}.
import { SkiffError } from '../../../errors.js';
import { volumeView } from '../../views.js';
import type { CoreContext } from '../context.js';

export function volumeInspect(ctx: CoreContext, name: string): ReturnType<typeof volumeView> {
  const v = ctx.volumes.get(name);
  if (!v) throw new SkiffError(`get ${name}: no such volume`, 'not-found');
  return volumeView(v);
}
