// GET /images/{name}/history: the image's history, newest first, with each layer's size.
import { resolveImage } from '../../../image/images.js';
import type { CoreContext } from '../context.js';

export interface HistoryEntry { Id: string; Created: number; CreatedBy: string; Size: number; Comment: string; Tags: string[] }

export function imageHistory(ctx: CoreContext, name: string): HistoryEntry[] {
  const rec = resolveImage(ctx.images, name);
  let layer = rec.layers.length;
  return [...(rec.config.history ?? [])].reverse().map((h, i) => ({
    Id: i === 0 ? rec.id : '<missing>',
    Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
    CreatedBy: h.created_by ?? '',
    Size: h.empty_layer ? 0 : rec.layers[--layer]?.size ?? 0,
    Comment: h.comment ?? '',
    Tags: [],
  }));
}
