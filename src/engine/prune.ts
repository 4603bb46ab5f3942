// The prune operations (POST /containers/prune, /volumes/prune,
// /networks/prune, /images/prune) with the Docker API's response shapes;
// `system prune` runs them in docker's order. Each reports what it removed
// and the bytes it gave back; printing is the commands' business.
import { pruneImages as pruneImageStore } from '../image/images.js';
import { NetworkStore, type Network } from '../network/store.js';
import { treeSize } from '../util/files.js';
import type { ContainerStore } from './containers.js';
import { recordEvent } from './events.js';
import { isActive, refreshAll, rmContainer, type Engine } from './lifecycle.js';
import { networkConfigOf } from './networking.js';
import { rootfsPaths } from './rootfs.js';
import { VolumeStore, type Volume } from './volumes.js';

export interface ContainersPruneReport { ContainersDeleted: string[]; SpaceReclaimed: number }
export interface VolumesPruneReport { VolumesDeleted: string[]; SpaceReclaimed: number }
export interface NetworksPruneReport { NetworksDeleted: string[] }
export interface ImagesPruneReport { ImagesDeleted: ({ Untagged: string } | { Deleted: string })[]; SpaceReclaimed: number }

/** Every container that is not running; the space is their own layers. */
export async function pruneContainers(e: Engine): Promise<ContainersPruneReport> {
  e.containers.sweep(); // what a killed create or rm left
  const gone = (await refreshAll(e)).filter((c) => !isActive(c));
  let bytes = 0;
  for (const c of gone) {
    bytes += treeSize(rootfsPaths(e.containers.containerDir(c.Id)).upper);
    await rmContainer(e, c.Id, false);
  }
  recordEvent(e.g.root, 'container', 'prune', '', { reclaimed: String(bytes) });
  return { ContainersDeleted: gone.map((c) => c.Id), SpaceReclaimed: bytes };
}

/** Unused anonymous volumes; with `all` every unused volume (docker 23+); `keep` is --filter. */
export function pruneVolumes(e: Engine, o: { all?: boolean; match?: (v: Volume) => boolean } = {}): VolumesPruneReport {
  const store = new VolumeStore(e.g.root);
  store.sweep();
  const unused = (n: string) => e.containers.usingVolume(n).length === 0;
  const candidates = store.all().filter((v) => (o.all || v.Anonymous) && unused(v.Name) && (o.match?.(v) ?? true));
  const deleted: string[] = [];
  let bytes = 0;
  for (const v of candidates) {
    try {
      const size = treeSize(v.Mountpoint);
      store.remove(v.Name, (n) => e.containers.usingVolume(n));
      deleted.push(v.Name);
      bytes += size;
    } catch { /* taken into use meanwhile */ }
  }
  recordEvent(e.g.root, 'volume', 'prune', '', { reclaimed: String(bytes) });
  return { VolumesDeleted: deleted, SpaceReclaimed: bytes };
}

/** Names of the containers that use a network (running or not). */
export function networkUsers(containers: ContainerStore, n: Network): string[] {
  return containers.all().filter((c) => {
    const cfg = networkConfigOf(c);
    return cfg.NetworkMode === n.Name || n.Name in cfg.Networks || !!n.Endpoints[c.Id];
  }).map((c) => c.Name.slice(1));
}

/** User networks no container uses. */
export function pruneNetworks(e: Engine): NetworksPruneReport {
  const store = new NetworkStore(e.g.root);
  const removed: string[] = [];
  for (const n of store.all()) {
    if (n.Default || networkUsers(e.containers, n).length) continue;
    const lock = store.lock();
    try { store.delete(n); } finally { lock.release(); }
    recordEvent(e.g.root, 'network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
    removed.push(n.Name);
  }
  recordEvent(e.g.root, 'network', 'prune', '', {});
  return { NetworksDeleted: removed };
}

/** Dangling images; with `all` every image no container uses. */
export function pruneImages(e: Engine, o: { all?: boolean } = {}): ImagesPruneReport {
  const { deleted, reclaimed } = pruneImageStore(e.images, !!o.all, (id) => e.containers.usingImage(id).length > 0);
  const report: ImagesPruneReport['ImagesDeleted'] = deleted.map((l) => (l.startsWith('untagged: ') ? { Untagged: l.slice(10) } : { Deleted: l.replace(/^deleted: /, '') }));
  for (const r of report) {
    if ('Untagged' in r) recordEvent(e.g.root, 'image', 'untag', r.Untagged, { name: r.Untagged });
    else recordEvent(e.g.root, 'image', 'delete', r.Deleted, { name: r.Deleted });
  }
  recordEvent(e.g.root, 'image', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: report, SpaceReclaimed: reclaimed };
}
