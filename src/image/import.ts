// `skiff import`: a root filesystem tarball as a one-layer image, with
// `--change` Dockerfile-style instructions (CMD, ENTRYPOINT, ENV, WORKDIR,
// USER, EXPOSE, LABEL, VOLUME) applied to its config.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { SkiffError } from '../errors.js';
import { importLayers } from './importer.js';
import { setTag } from './images.js';
import { canonicalString, parseReference } from './reference.js';
import { hostPlatform } from './load.js';
import type { ImageConfig, ImageRecord, ImageStore } from './store.js';
import { faultPoint } from '../util/fault.js';

/** A JSON array (exec form) or a string (shell form: /bin/sh -c). */
function commandValue(v: string): string[] {
  if (v.trim().startsWith('[')) {
    try {
      const arr = JSON.parse(v);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr;
    } catch { /* fall through */ }
    throw new SkiffError(`--change: ${v} is not a JSON array of strings`, 'invalid');
  }
  return ['/bin/sh', '-c', v];
}

export function applyChanges(config: Record<string, unknown>, changes: string[]): void {
  for (const change of changes) {
    const m = /^\s*(\w+)\s+(.*)$/s.exec(change);
    if (!m) throw new SkiffError(`--change ${JSON.stringify(change)}: expected "INSTRUCTION value"`, 'invalid');
    const [, instr, value] = m;
    switch (instr.toUpperCase()) {
      case 'CMD': config.Cmd = commandValue(value); break;
      case 'ENTRYPOINT': config.Entrypoint = commandValue(value); break;
      case 'WORKDIR': config.WorkingDir = value.trim(); break;
      case 'USER': config.User = value.trim(); break;
      case 'ENV': {
        const env = (config.Env as string[] | undefined) ?? [];
        const kv = value.includes('=') ? value.trim() : value.trim().replace(/\s+/, '=');
        const key = kv.split('=')[0];
        config.Env = [...env.filter((e) => !e.startsWith(key + '=')), kv];
        break;
      }
      case 'EXPOSE': {
        const ports = (config.ExposedPorts as Record<string, object> | undefined) ?? {};
        for (const p of value.trim().split(/\s+/)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        config.ExposedPorts = ports;
        break;
      }
      case 'LABEL': {
        const labels = (config.Labels as Record<string, string> | undefined) ?? {};
        for (const pair of value.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []) {
          const i = pair.indexOf('=');
          if (i < 0) throw new SkiffError(`--change LABEL ${pair}: expected key=value`, 'invalid');
          labels[pair.slice(0, i)] = pair.slice(i + 1).replace(/^"|"$/g, '');
        }
        config.Labels = labels;
        break;
      }
      case 'VOLUME': {
        // Dockerfile reference, VOLUME: a JSON array or paths separated by spaces.
        const paths = value.trim().startsWith('[') ? commandValue(value) : value.trim().split(/\s+/);
        const volumes = (config.Volumes as Record<string, object> | null | undefined) ?? {};
        for (const p of paths) {
          if (!p.startsWith('/')) throw new SkiffError(`--change VOLUME ${p}: the path must be absolute`);
          volumes[p] = {};
        }
        config.Volumes = volumes;
        break;
      }
      default:
        throw new SkiffError(`--change: ${instr} is not supported (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR)`, 'invalid');
    }
  }
}

/** `source`: a tarball's path, or a stream of it (the CLI's `import -` passes its stdin). */
export async function importRootfs(store: ImageStore, source: string | AsyncIterable<Buffer>, reference: string | undefined, changes: string[], message = ''): Promise<ImageRecord> {
  // The diffID is the sha256 of the uncompressed tar: hash it first (a file
  // can be read twice; a stream is read into memory).
  const data = typeof source !== 'string' ? await (async () => { const c: Buffer[] = []; for await (const x of source) c.push(x); return Buffer.concat(c); })() : readFileSync(source);
  const tarBytes = data[0] === 0x1f && data[1] === 0x8b ? await new Promise<Buffer>((resolve, reject) => {
    const c: Buffer[] = [];
    const g = createGunzip();
    g.on('data', (x: Buffer) => c.push(x)).on('end', () => resolve(Buffer.concat(c))).on('error', reject);
    g.end(data);
  }) : data;
  const diffID = 'sha256:' + createHash('sha256').update(tarBytes).digest('hex');
  const containerConfig: Record<string, unknown> = {};
  applyChanges(containerConfig, changes);
  const now = new Date().toISOString();
  const platform = hostPlatform();
  const config: ImageConfig = {
    architecture: platform.architecture, os: platform.os, created: now, config: containerConfig,
    rootfs: { type: 'layers', diff_ids: [diffID] },
    history: [{ created: now, created_by: 'skiff import', comment: message || 'Imported from ' + source }],
  };
  return storeImageOver(store, undefined, config, tarBytes, reference);
}

/**
 * Stores an image made of `base`'s layers (none for import) and one more,
 * `tar` (uncompressed), with `config`; tags it if asked. Under the store's
 * lock; a failure leaves no half image (the garbage collector takes the
 * blobs). Shared by `import` and `commit`.
 */
export async function storeImageOver(store: ImageStore, base: ImageRecord | undefined, config: ImageConfig, tar: Buffer, reference?: string): Promise<ImageRecord> {
  const lock = await store.lock();
  try {
    const layerBlob = store.putBlob(tar);
    const diffIDs = config.rootfs.diff_ids;
    const top = diffIDs.length - 1;
    const layers = await importLayers(store, diffIDs, (i) => {
      // The base's layers are in the store already; only the new one is unpacked.
      if (i !== top) throw new SkiffError(`layer ${i + 1} of image ${base?.id.slice(7, 19) ?? '?'} is missing from the store`);
      return (async function* () { yield tar; })();
    });
    const id = store.putBlob(Buffer.from(JSON.stringify(config)));
    const rec: ImageRecord = {
      id, config, layers, repoDigests: [], blobs: [...(base?.blobs.filter((b) => b !== base.id) ?? []), id, layerBlob],
      layerBlobs: [...(base?.layerBlobs ?? []), layerBlob], size: layers.reduce((n, l) => n + l.size, 0), loadedAt: config.created ?? new Date().toISOString(),
    };
    store.putImage(rec);
    faultPoint('image:recorded');
    if (reference) setTag(store, canonicalString(parseReference(reference)), id);
    return rec;
  } catch (err) {
    store.collectGarbage();
    throw err;
  } finally {
    lock.release();
  }
}
