// A client for the distribution API v2 (distribution-spec spec.md): manifest
// and blob GETs with the full Accept list, Bearer-token and Basic auth from
// WWW-Authenticate challenges, and credentials in the docker config format.
// HTTPS by default; plain HTTP for loopback and registries named insecure.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { DEFAULT_REGISTRY } from './reference.js';
import { traceStep } from '../util/trace.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/** ~/.docker/config.json (or $DOCKER_CONFIG/config.json): where docker login writes. */
export function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

export function credentialsFor(registry: string): { user: string; password: string } | undefined {
  let auths: Record<string, { auth?: string }> = {};
  try {
    auths = (JSON.parse(readFileSync(dockerConfigPath(), 'utf8')) as { auths?: typeof auths }).auths ?? {};
  } catch { return undefined; }
  const keys = registry === DEFAULT_REGISTRY ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [registry, `https://${registry}`, `http://${registry}`];
  for (const k of keys) {
    const auth = auths[k]?.auth;
    if (!auth) continue;
    const decoded = Buffer.from(auth, 'base64').toString();
    const i = decoded.indexOf(':');
    if (i > 0) return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}

export function registryBase(registry: string, insecure: string[] = []): string {
  if (registry === DEFAULT_REGISTRY) return 'https://registry-1.docker.io';
  const plain = isLoopback(registry) || insecure.includes(registry);
  return `${plain ? 'http' : 'https'}://${registry}`;
}

/** `Bearer realm="...",service="...",scope="..."` -> scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1]] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

export class RegistryError extends SkiffError {
  constructor(message: string, readonly status: number, readonly code?: string) {
    // The registry's own status says what kind of failure it is.
    super(message, status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : 'system');
  }
}

export class RegistryClient {
  private token?: string;
  readonly base: string;

  constructor(readonly registry: string, readonly repository: string, insecure: string[] = []) {
    this.base = registryBase(registry, insecure);
  }

  private authHeader(): Record<string, string> {
    if (this.token) return { Authorization: this.token };
    return {};
  }

  // On 401, follow the challenge once: a Bearer token from the realm (with
  // our Basic credentials if we have some), or Basic credentials directly.
  private async authenticate(challenge: string | null): Promise<boolean> {
    if (!challenge) return false;
    const { scheme, params } = parseChallenge(challenge);
    const creds = credentialsFor(this.registry);
    const basic = creds ? 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64') : undefined;
    if (scheme === 'basic') {
      if (!basic || this.token === basic) return false;
      this.token = basic;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.repository}:pull`);
    const res = await this.fetchRaw(url.toString(), basic ? { Authorization: basic } : {});
    if (!res.ok) throw new RegistryError(`unauthorized: the token service at ${url.origin} answered ${res.status}`, 401, 'UNAUTHORIZED');
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`unauthorized: the token service at ${url.origin} sent no token`, 401, 'UNAUTHORIZED');
    this.token = `Bearer ${token}`;
    return true;
  }

  private async fetchRaw(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers, redirect: 'follow' });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new SkiffError(`registry ${this.registry} is unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 'unavailable');
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = `${this.base}/v2/${this.repository}/${path}`;
    traceStep('registry_get', url);
    let res = await this.fetchRaw(url, { ...headers, ...this.authHeader() });
    if (res.status === 401 && (await this.authenticate(res.headers.get('www-authenticate')))) {
      res = await this.fetchRaw(url, { ...headers, ...this.authHeader() });
    }
    if (!res.ok) {
      let code: string | undefined;
      let message = res.statusText;
      try {
        const body = (await res.json()) as { errors?: { code: string; message: string }[] };
        code = body.errors?.[0]?.code;
        message = body.errors?.[0]?.message ?? message;
      } catch { /* no JSON body */ }
      throw new RegistryError(message, res.status, code);
    }
    return res;
  }

  async manifest(reference: string): Promise<{ body: Buffer; mediaType: string; digest?: string }> {
    const res = await this.get(`manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    const body = Buffer.from(await res.arrayBuffer());
    return { body, mediaType: res.headers.get('content-type')?.split(';')[0] ?? '', digest: res.headers.get('docker-content-digest') ?? undefined };
  }

  async blob(digest: string): Promise<Response> {
    return this.get(`blobs/${digest}`);
  }
}
