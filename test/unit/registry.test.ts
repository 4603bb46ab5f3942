// Registry client pieces: where a registry is reached, challenges, docker
// config credentials, and Bearer scopes (against a registry on loopback).
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, credentialsFor, parseChallenge, registryBase } from '../../src/image/registry.js';
import { pickPlatform } from '../../src/image/load.js';
import { parsePlatform } from '../../src/image/pull.js';

test('Docker Hub, loopback over HTTP, everything else over HTTPS unless insecure', (t) => {
  t.is(registryBase('docker.io'), 'https://registry-1.docker.io');
  t.is(registryBase('localhost:5000'), 'http://localhost:5000');
  t.is(registryBase('127.0.0.1:5003'), 'http://127.0.0.1:5003');
  t.is(registryBase('127.8.9.10'), 'http://127.8.9.10');
  t.is(registryBase('registry.example.com'), 'https://registry.example.com');
  t.is(registryBase('registry.example.com', ['registry.example.com']), 'http://registry.example.com');
});

test('WWW-Authenticate challenges', (t) => {
  t.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'),
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } });
  t.deepEqual(parseChallenge('Basic realm="Registry"'), { scheme: 'basic', params: { realm: 'Registry' } });
});

test('credentials from the docker config format, Docker Hub under its legacy key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dockercfg-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: {
    'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
    'localhost:5000': { auth: Buffer.from('u:p:with:colons').toString('base64') },
  } }));
  const before = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = dir;
  try {
    t.deepEqual(credentialsFor('docker.io'), { user: 'hubuser', password: 'hubpass' });
    t.deepEqual(credentialsFor('localhost:5000'), { user: 'u', password: 'p:with:colons' });
    t.is(credentialsFor('elsewhere.example'), undefined);
  } finally {
    // Assigning undefined would set the string "undefined".
    if (before === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('platform choice from an index', (t) => {
  const d = (architecture: string, variant?: string) => ({ mediaType: 'm', digest: `sha256:${architecture}${variant ?? ''}`, size: 1, platform: { os: 'linux', architecture, variant } });
  const index = { manifests: [d('amd64'), d('arm', 'v7'), d('arm64', 'v8')] };
  t.is(pickPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest, 'sha256:arm64v8');
  t.is(pickPlatform(index, { os: 'linux', architecture: 'amd64' })?.digest, 'sha256:amd64');
  t.is(pickPlatform(index, { os: 'linux', architecture: 'riscv64' }), undefined);
  t.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  t.throws(() => parsePlatform('arm64'), { message: /invalid platform/ });
});

// A registry whose Bearer tokens carry exactly the scopes asked for (as
// distribution's token auth does), and a race that once failed a push on
// CI: a layer's HEAD (pull) and another layer's cross-repository mount
// (push here, pull there) run side by side; the HEAD's pull-only token
// arrives while the mount is being challenged. The mount must still get a
// token that covers it.
test('requests side by side: each token covers every scope challenged so far', async (t) => {
  let tokenIssued!: () => void;
  const issued = new Promise<void>((r) => { tokenIssued = r; });
  const grants = (req: IncomingMessage) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return bearer ? (JSON.parse(Buffer.from(bearer, 'base64url').toString()) as string[]) : [];
  };
  let base = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        const scopes = url.searchParams.getAll('scope');
        res.end(JSON.stringify({ token: Buffer.from(JSON.stringify(scopes)).toString('base64url') }));
        tokenIssued();
        return;
      }
      const needs = req.method === 'POST'
        ? ['repository:copy/busybox:pull,push', 'repository:library/busybox:pull']
        : ['repository:copy/busybox:pull'];
      const granted = grants(req);
      if (needs.every((s) => granted.includes(s) || granted.includes(s.replace(/:pull$/, ':pull,push')))) {
        res.statusCode = req.method === 'POST' ? 202 : 404;
        return void res.end();
      }
      // The mount's first challenge waits until the HEAD's token exists.
      if (req.method === 'POST' && granted.length === 0) await issued;
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', `Bearer realm="${base}/token",service="test",scope="${needs.join(' ')}"`);
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  try {
    const client = new RegistryClient(`127.0.0.1:${port}`, 'copy/busybox', [], { user: 'u', password: 'p' });
    const [head, mount] = await Promise.all([
      client.request('HEAD', 'blobs/sha256:aa', { accept: [404] }),
      client.request('POST', 'blobs/uploads/?mount=sha256:bb&from=library/busybox', { accept: [202] }),
    ]);
    t.is(head.status, 404);
    t.is(mount.status, 202);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
