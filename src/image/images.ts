// Image operations on the store: tags, lookups by name or ID prefix, rmi,
// prune. What `skiff images`, `tag`, `rmi` and `image prune` call.
import { SkiffError } from '../errors.js';
import { canonicalString, familiarString, parseReference } from './reference.js';
import type { ImageRecord, ImageStore } from './store.js';

/** Points a tag at an image. The caller holds the store lock. */
export function setTag(store: ImageStore, canonical: string, id: string): void {
  const tags = store.tags();
  tags[canonical] = id;
  store.writeTags(tags);
}

export async function addTag(store: ImageStore, canonical: string, id: string): Promise<void> {
  const lock = await store.lock();
  try {
    setTag(store, canonical, id);
  } finally {
    lock.release();
  }
}

/** An image by reference (busybox, busybox:1.0) or by ID / unique ID prefix. */
export function resolveImage(store: ImageStore, nameOrId: string): ImageRecord {
  const hexish = nameOrId.replace(/^sha256:/, '');
  if (/^[a-f0-9]{4,64}$/.test(hexish)) {
    const matches = store.images().filter((i) => i.id.slice(7).startsWith(hexish));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new SkiffError(`image ID prefix ${nameOrId} is ambiguous`, 'invalid');
  }
  const ref = parseReference(nameOrId);
  const id = store.tags()[canonicalString(ref)];
  const rec = id ? store.getImage(id) : undefined;
  if (!rec) throw new SkiffError(`No such image: ${familiarString(ref)}`, 'not-found');
  return rec;
}

export async function tagImage(store: ImageStore, source: string, target: string): Promise<void> {
  const rec = resolveImage(store, source);
  const ref = parseReference(target);
  if (ref.digest) throw new SkiffError(`refusing to create a tag with a digest reference: ${target}`, 'invalid');
  await addTag(store, canonicalString(ref), rec.id);
}

/** Tags shown for an image, familiar form, sorted. */
export function repoTags(store: ImageStore, id: string): string[] {
  return store.tagsOf(id).map((t) => familiarString(parseReference(t)));
}

/**
 * `rmi`: a name untags; the image goes when no tag is left. By ID, an image
 * with several tags needs --force. `usedBy(id)` (the container store) names
 * a container using the image: then rmi refuses, and --force only removes
 * the names, leaving a dangling <none>:<none> image (Docker's behaviour).
 */
export async function removeImage(store: ImageStore, nameOrId: string, force: boolean, usedBy: (id: string) => string | undefined = () => undefined): Promise<string[]> {
  const lock = await store.lock();
  const out: string[] = [];
  try {
    const rec = resolveImage(store, nameOrId);
    const tags = store.tags();
    const mine = Object.keys(tags).filter((t) => tags[t] === rec.id);
    const byId = /^(sha256:)?[a-f0-9]{4,64}$/.test(nameOrId) && !mine.includes(canonicalString(parseReference(nameOrId)));
    const user = usedBy(rec.id);
    if (!byId && user && !force && mine.length === 1)
      throw new SkiffError(`conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${user.slice(0, 12)} is using its referenced image ${rec.id.slice(7, 19)}`, 'conflict');
    if (byId && user && !force)
      throw new SkiffError(`conflict: unable to delete ${rec.id.slice(7, 19)} (must be forced) - image is being used by stopped container ${user.slice(0, 12)}`, 'conflict');
    if (byId && mine.length > 1 && !force)
      throw new SkiffError(`conflict: unable to delete ${rec.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`, 'conflict');
    const untag = byId ? mine : [canonicalString(parseReference(nameOrId))];
    for (const t of untag) {
      delete tags[t];
      out.push(`Untagged: ${familiarString(parseReference(t))}`);
    }
    store.writeTags(tags);
    if (!Object.values(tags).includes(rec.id) && !user) {
      store.removeImage(rec.id);
      out.push(`Deleted: ${rec.id}`);
      store.collectGarbage();
    }
  } finally {
    lock.release();
  }
  return out;
}

/** Dangling images: no tag left (e.g. after `rmi -f` of an image in use, or a re-tag). */
export function isDangling(store: ImageStore, rec: ImageRecord): boolean {
  return store.tagsOf(rec.id).length === 0;
}

/** `image prune`: dangling images, or with `all` every image without a container. */
export async function pruneImages(store: ImageStore, all: boolean, inUse: (id: string) => boolean = () => false): Promise<{ deleted: string[]; reclaimed: number }> {
  const lock = await store.lock();
  const deleted: string[] = [];
  let reclaimed = 0;
  try {
    const tags = store.tags();
    for (const rec of store.images()) {
      if (inUse(rec.id)) continue;
      const tagged = Object.values(tags).includes(rec.id);
      if (tagged && !all) continue;
      for (const [t, id] of Object.entries(tags)) if (id === rec.id) { delete tags[t]; deleted.push(`untagged: ${familiarString(parseReference(t))}`); }
      store.removeImage(rec.id);
      deleted.push(`deleted: ${rec.id}`);
    }
    store.writeTags(tags);
    reclaimed = store.collectGarbage().bytes; // shared layers stay, and are not counted
  } finally {
    lock.release();
  }
  return { deleted, reclaimed };
}
