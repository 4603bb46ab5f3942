// GET /images/json: the images with their tags, newest first.
import { repoTags } from '../../../image/images.js';
import type { CoreContext } from '../context.js';

export interface ImageSummary { Id: string; RepoTags: string[]; RepoDigests: string[]; Created: number; Size: number; Labels: Record<string, string> }

export function imageList(ctx: CoreContext): ImageSummary[] {
  return ctx.images.images().map((rec) => ({
    Id: rec.id, RepoTags: repoTags(ctx.images, rec.id), RepoDigests: rec.repoDigests,
    Created: Math.floor(Date.parse(rec.config.created ?? rec.loadedAt) / 1000), Size: rec.size,
    Labels: ((rec.config.config as { Labels?: Record<string, string> } | undefined)?.Labels) ?? {},
  })).sort((a, b) => b.Created - a.Created);
}
