// POST /commit?container=&repo=&tag=: a container's changes as a new image layer.
import { commitContainer } from '../../changes.js';
import { recordContainerEvent } from '../../events.js';
import type { CoreContext } from '../context.js';
import { findContainer } from '../containers/find.js';

export interface CommitRequest { reference?: string; comment?: string; author?: string; changes?: string[]; pause?: boolean }

export async function imageCommit(ctx: CoreContext, container: string, o: CommitRequest = {}): Promise<{ Id: string }> {
  const c = await findContainer(ctx, container);
  const rec = await commitContainer(ctx.life, c, o.reference, { message: o.comment, author: o.author, changes: o.changes ?? [], pause: o.pause !== false });
  recordContainerEvent(ctx.root, c, 'commit', { comment: o.comment ?? '', imageID: rec.id, imageRef: o.reference ?? '' });
  return { Id: rec.id };
}
