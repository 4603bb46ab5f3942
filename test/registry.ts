// A real distribution registry (Debian's docker-registry) on 127.0.0.1 for
// pull tests, with fixture images pushed by skopeo in each manifest format.
// Stopped by pid (never by name) and its storage removed by stop().
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FIXTURE_IMAGES } from './helpers.js';

export interface Registry { host: string; stop: () => Promise<void> }

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a registry in `dir`; with `auth`, htpasswd Basic auth for user:password. */
export async function startRegistry(dir: string, auth?: { user: string; password: string }): Promise<Registry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  let authYaml = '';
  if (auth) {
    await execa('htpasswd', ['-Bbc', join(dir, 'htpasswd'), auth.user, auth.password]);
    authYaml = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${join(dir, 'storage')}}\n  delete: {enabled: true}\nhttp: {addr: "${host}"}\n${authYaml}`);
  const proc: ResultPromise = execa('docker-registry', ['serve', join(dir, 'config.yml')], { reject: false, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}

/** Pushes the fixture images: OCI manifest, Docker schema2, OCI index, Docker manifest list. */
export async function pushFixtures(host: string, creds?: string): Promise<void> {
  const c = creds ? ['--dest-creds', creds] : [];
  const copy = (src: string, dest: string, ...extra: string[]) =>
    execa('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...c, ...extra, src, `docker://${host}/${dest}`]);
  await copy(`oci-archive:${join(FIXTURE_IMAGES, 'busybox-oci.tar')}`, 'library/busybox:latest');
  await copy(`oci-archive:${join(FIXTURE_IMAGES, 'busybox-oci.tar')}`, 'library/busybox:v2s2', '--format', 'v2s2');
  await copy(`oci-archive:${join(FIXTURE_IMAGES, 'busybox-multi-oci.tar')}`, 'library/multi:latest', '--all');
  await copy(`oci-archive:${join(FIXTURE_IMAGES, 'busybox-multi-oci.tar')}`, 'library/multi:v2s2', '--all', '--format', 'v2s2');
}
