// GET /images/json?filters=: the images with their tags, newest first, with
// docker's filters (dangling, label, reference, before, since).
import { SkiffError } from '../../../errors.js';
import { isDangling, repoTags, resolveImage } from '../../../image/images.js';
import type { ImageRecord } from '../../../image/store.js';
import type { Filters } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { applyFilters, hasLabel } from '../labels.js';

export interface ImageSummary {
  Id: string; ParentId: string; RepoTags: string[]; RepoDigests: string[]; Created: number; Size: number;
  SharedSize: number; VirtualSize: number; Labels: Record<string, string>; Containers: number;
}

export const IMAGE_FILTERS = ['dangling', 'label', 'reference', 'before', 'since'];

export const imageCreated = (rec: ImageRecord) => Math.floor(Date.parse(rec.config.created ?? rec.loadedAt) / 1000);
export const imageLabels = (rec: ImageRecord) => ((rec.config.config as { Labels?: Record<string, string> } | undefined)?.Labels) ?? {};

/** reference=busybox, busybox:latest, or a glob on the familiar name (moby: path.Match on the reference). */
function referenceMatcher(pattern: string): (tag: string) => boolean {
  const glob = new RegExp('^' + pattern.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return (t) => glob.test(t) || glob.test(t.slice(0, t.lastIndexOf(':')));
}

function matches(ctx: CoreContext, rec: ImageRecord, key: string, value: string): boolean {
  switch (key) {
    case 'dangling':
      if (!['true', 'false', '1', '0'].includes(value.toLowerCase())) throw new SkiffError(`invalid filter 'dangling=${value}'`, 'invalid');
      return isDangling(ctx.images, rec) === ['true', '1'].includes(value.toLowerCase());
    case 'label': return hasLabel(imageLabels(rec), value);
    case 'reference': return repoTags(ctx.images, rec.id).some(referenceMatcher(value));
    // Images made before (or after) the one named.
    case 'before': return imageCreated(rec) < imageCreated(resolveImage(ctx.images, value));
    case 'since': return imageCreated(rec) > imageCreated(resolveImage(ctx.images, value));
    default: throw new SkiffError(`invalid filter '${key}'`, 'invalid');
  }
}

export function imageList(ctx: CoreContext, o: { filters?: Filters } = {}): ImageSummary[] {
  let list = ctx.images.images();
  list = applyFilters(list, o.filters ?? {}, (rec, k, v) => matches(ctx, rec, k, v));
  // moby: with a reference filter an image shows only the tags (and digests) that match it.
  const references = (o.filters?.reference ?? []).map(referenceMatcher);
  const matching = (names: string[], name: (n: string) => string) => names.filter((n) => !references.length || references.some((m) => m(name(n))));
  return list.map((rec) => ({
    Id: rec.id, ParentId: '', RepoTags: matching(repoTags(ctx.images, rec.id), (t) => t),
    RepoDigests: matching(rec.repoDigests, (d) => `${d.slice(0, d.indexOf('@'))}:`),
    Created: imageCreated(rec), Size: rec.size, SharedSize: -1, VirtualSize: rec.size, Labels: imageLabels(rec),
    Containers: -1, // moby: -1 unless asked for (it costs a walk of every container)
  })).sort((a, b) => b.Created - a.Created);
}
