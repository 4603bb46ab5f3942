// From a container record to something the runtime can run: the engine's
// /etc files, the overlayfs root, and an OCI bundle (config.json) in the
// container's directory. release() undoes the mount; both are idempotent.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { trace } from '../util/trace.js';
import type { ImageStore } from '../image/store.js';
import { hostConfigOf, type ContainerRecord, type ContainerStore } from './containers.js';
import { initProgramPath } from '../native.js';
import { containerOciSpec } from './ocispec.js';
import { lowerDirs, mountRootfs, removeRootfs, secureJoin, unmountRootfs } from './rootfs.js';
import { copyUpIntoVolume } from './mounts.js';
import { VolumeStore } from './volumes.js';

export interface Prepared { bundle: string; rootfs: string }

function hostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/** What networking decided: /etc/hosts, resolv.conf, and a namespace to join (or 'host'). */
export interface NetworkFiles { hosts: string; resolvConf: string; namespace?: string; linkEnv?: string[] }

export function prepareContainer(images: ImageStore, containers: ContainerStore, c: ContainerRecord, net?: NetworkFiles): Prepared {
  const dir = join(containers.dir, c.Id);
  const image = images.getImage(c.Image);
  if (!image) throw new SkiffError(`container ${c.Name.slice(1)}: its image ${c.Image.slice(7, 19)} is missing from the store`);
  const etc = { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  // Written again at every start: atomic, not durable (files.ts, AtomicWriteOptions).
  const volatile = { durable: false };
  writeFileAtomic(etc.hostname, `${c.Config.Hostname}\n`, 0o644, volatile);
  writeFileAtomic(etc.hosts, net?.hosts ?? `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${c.Config.Hostname}\n`, 0o644, volatile);
  writeFileAtomic(etc.resolvConf, net?.resolvConf ?? hostResolvConf(), 0o644, volatile);
  const rootfs = mountRootfs(dir, lowerDirs(images, image));
  trace('launch: rootfs mounted');
  try {
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle, { recursive: true, mode: 0o700 });
    writeFileAtomic(join(bundle, 'config.json'), JSON.stringify(containerOciSpec({ container: c, rootfs, etc, initProgram: hostConfigOf(c).Init ? initProgramPath() : undefined, netns: net?.namespace, linkEnv: net?.linkEnv }), null, 2), 0o644, volatile);
    return { bundle, rootfs };
  } catch (err) {
    unmountRootfs(dir);
    throw err;
  }
}

/**
 * Docker's copy-up for each new, empty volume over image content
 * (mounts.ts), into the rootfs prepareContainer mounted. Apart from it:
 * the volumes lock is async, and prepareContainer is not.
 */
export async function fillNewVolumes(root: string, rootfs: string, c: ContainerRecord): Promise<void> {
  const wanted = (c.Mounts ?? []).filter((m) => m.Type === 'volume' && !m.Options?.includes('nocopy'));
  if (!wanted.length) return;
  const volumes = new VolumeStore(root);
  // Under the volumes lock: of two containers starting on one new volume, one copies.
  const lock = await volumes.lock();
  try {
    for (const m of wanted) {
      if (!existsSync(m.Source)) throw new SkiffError(`volume ${m.Name} of container ${c.Name.slice(1)} is missing from the store`);
      copyUpIntoVolume(secureJoin(rootfs, m.Destination), m.Source);
    }
  } finally {
    lock.release();
  }
}

export function releaseContainer(containers: ContainerStore, id: string): void {
  unmountRootfs(join(containers.dir, id));
}

/** For rm: the mount and the container's own filesystem layer go. */
export function destroyContainerFiles(containers: ContainerStore, id: string): void {
  removeRootfs(join(containers.dir, id));
}
