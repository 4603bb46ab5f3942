// A real distribution registry (Debian's docker-registry) on 127.0.0.1 for
// pull tests, with fixture images pushed by skopeo in each manifest format.
// Stopped by pid (never by name) and its storage removed by stop().
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate, randomBytes, sign } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
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

/**
 * A token service for the registry's Bearer auth (distribution's
 * docs/spec/auth/token.md): Basic credentials in, an RS256 JWT out, signed
 * by a throwaway self-signed certificate the registry trusts.
 */
async function startTokenService(dir: string, user: string, password: string, service: string) {
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=skiff-test-token',
    '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.crt')]);
  const key = readFileSync(join(dir, 'token.key'), 'utf8');
  const certDer = new X509Certificate(readFileSync(join(dir, 'token.crt'))).raw.toString('base64');
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Basic' || Buffer.from(value ?? '', 'base64').toString() !== `${user}:${password}`) {
      res.statusCode = 401;
      return void res.end('{"details":"bad credentials"}');
    }
    const access = (url.searchParams.getAll('scope')).map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: actions.split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ alg: 'RS256', typ: 'JWT', x5c: [certDer] });
    const claims = b64({ iss: 'skiff-test-issuer', sub: user, aud: service, exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
    const sig = sign('sha256', Buffer.from(`${head}.${claims}`), key).toString('base64url');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ token: `${head}.${claims}.${sig}` }));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { realm: `http://127.0.0.1:${port}/token`, cert: join(dir, 'token.crt'), stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Starts a registry in `dir`; with `auth`, Basic (htpasswd) or Bearer (token service) auth for user:password. */
export async function startRegistry(dir: string, auth?: { user: string; password: string; bearer?: boolean }): Promise<Registry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  let authYaml = '';
  let tokenService: Awaited<ReturnType<typeof startTokenService>> | undefined;
  if (auth?.bearer) {
    tokenService = await startTokenService(dir, auth.user, auth.password, 'skiff-test-registry');
    authYaml = `auth:\n  token:\n    realm: ${tokenService.realm}\n    service: skiff-test-registry\n    issuer: skiff-test-issuer\n    rootcertbundle: ${tokenService.cert}\n`;
  } else if (auth) {
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
      await tokenService?.stop();
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
