// Registry client pieces that need no network: where a registry is reached,
// challenges, and docker config credentials.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFor, parseChallenge, registryBase } from '../../src/image/registry.js';
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
