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
import { httpFetch, type HttpInit, type HttpResponse } from './http.js';

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

/** containerd's and the distribution registry's limit on a manifest (4 MiB). */
export const MAX_MANIFEST = 4 * 1024 * 1024;

/** How long a registry may stay silent: SKIFF_REGISTRY_TIMEOUT seconds, 60 by default. */
function idleTimeout(): number {
  const s = Number(process.env.SKIFF_REGISTRY_TIMEOUT);
  return (Number.isFinite(s) && s > 0 ? s : 60) * 1000;
}

const MAX_REDIRECTS = 10;

function withoutAuth(init: HttpInit): HttpInit {
  const headers = { ...init.headers };
  delete headers.Authorization;
  return { ...init, headers };
}

function withoutBody(init: HttpInit): HttpInit {
  const { body: _body, ...rest } = init;
  return rest;
}

export class RegistryError extends SkiffError {
  constructor(message: string, readonly status: number, readonly code?: string) {
    // The registry's own status says what kind of failure it is.
    super(message, status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : 'system');
  }
}

/** A user's credentials for one registry (the API's X-Registry-Auth, or docker login's). */
export interface Credentials { user: string; password: string }

export class RegistryClient {
  private token?: string;
  /**
   * Every scope a challenge has named so far. Each token is asked for all of
   * them: requests run side by side (a layer's HEAD wants pull, another's
   * mount wants push here and pull there), and a token for one request's
   * scope alone would be refused to the others (the way docker's client
   * keeps a push's scopes together).
   */
  private readonly scopes = new Set<string>();
  readonly base: string;

  /**
   * `credentials`: the caller's (an API client's X-Registry-Auth); without them, docker login's.
   * `signal`: the caller gave up (an API client that went away): every request and body read stops.
   */
  constructor(readonly registry: string, readonly repository: string, insecure: string[] = [], private credentials?: Credentials, private signal?: AbortSignal) {
    this.base = registryBase(registry, insecure);
  }

  private authHeader(): Record<string, string> {
    if (this.token) return { Authorization: this.token };
    return {};
  }

  // On 401, follow the challenge once: a Bearer token from the realm (with
  // our Basic credentials if we have some), or Basic credentials directly.
  // `actions` is what this request needs when the challenge names no scope.
  private async authenticate(challenge: string | null, actions: string): Promise<boolean> {
    if (!challenge) return false;
    const { scheme, params } = parseChallenge(challenge);
    const creds = this.credentials ?? credentialsFor(this.registry);
    const basic = creds ? 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64') : undefined;
    if (scheme === 'basic') {
      if (!basic || this.token === basic) return false;
      this.token = basic;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    // A mount asks for two scopes at once, separated by spaces (token.md "Requesting a Token").
    for (const scope of (params.scope ?? `repository:${this.repository}:${actions}`).split(' ').filter(Boolean)) this.scopes.add(scope);
    for (const scope of this.scopes) url.searchParams.append('scope', scope);
    const res = await this.fetchRaw(url.toString(), { headers: basic ? { Authorization: basic } : {} });
    if (!res.ok) throw new RegistryError(`unauthorized: the token service at ${url.origin} answered ${res.status}`, 401, 'UNAUTHORIZED');
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`unauthorized: the token service at ${url.origin} sent no token`, 401, 'UNAUTHORIZED');
    this.token = `Bearer ${token}`;
    return true;
  }

  // Until the response headers arrive, a registry that says nothing for
  // idleTimeout() is given up on (undici's own limits are 5 minutes).
  // Redirects are followed here, each hop with its own time limit, at most
  // MAX_REDIRECTS of them (Go's http client, so docker, stops at 10); the
  // credentials go only to the registry's own origin, as fetch would do.
  private async fetchRaw(url: string, init: HttpInit): Promise<HttpResponse> {
    let target = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.fetchOnce(target, hop && new URL(target).origin !== new URL(url).origin ? withoutAuth(init) : init);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      await res.body?.cancel();
      target = new URL(location, target).toString();
      if (res.status === 303) init = { ...withoutBody(init), method: 'GET' };
    }
    throw new SkiffError(`registry ${this.registry} is unreachable: too many redirects (a redirect loop?)`, 'unavailable');
  }

  private async fetchOnce(url: string, init: HttpInit): Promise<HttpResponse> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), idleTimeout());
    this.signal?.throwIfAborted();
    try {
      return await httpFetch(url, { ...init, signal: this.signal ? AbortSignal.any([abort.signal, this.signal]) : abort.signal });
    } catch (err) {
      this.signal?.throwIfAborted();
      if (abort.signal.aborted) throw new SkiffError(`registry ${this.registry} sent no answer in ${idleTimeout() / 1000}s`, 'unavailable');
      const e = err as NodeJS.ErrnoException;
      throw new SkiffError(`registry ${this.registry} is unreachable: ${e.code ?? e.message}`, 'unavailable');
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A response body as chunks, failing in one sentence when the registry
   * goes quiet for idleTimeout() or the connection breaks off.
   */
  async *chunks(res: HttpResponse, what: string): AsyncGenerator<Buffer> {
    const it = res.stream[Symbol.asyncIterator]();
    let got = 0;
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        let cancelled: (() => void) | undefined;
        const quiet = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new SkiffError(`${what}: the registry ${this.registry} sent nothing for ${idleTimeout() / 1000}s (after ${got} bytes)`, 'unavailable')), idleTimeout());
          if (!this.signal) return;
          cancelled = () => reject(this.signal!.reason);
          if (this.signal.aborted) cancelled();
          else this.signal.addEventListener('abort', cancelled, { once: true });
        });
        let r: IteratorResult<Buffer>;
        try {
          r = await Promise.race([it.next(), quiet]);
        } catch (err) {
          if (err instanceof SkiffError || this.signal?.aborted) throw err;
          const e = err as NodeJS.ErrnoException;
          throw new SkiffError(`${what}: the registry ${this.registry} broke off the download after ${got} bytes (${e.code ?? e.message})`, 'unavailable');
        } finally {
          clearTimeout(timer);
          if (cancelled) this.signal!.removeEventListener('abort', cancelled);
        }
        if (r.done) return;
        got += r.value.length;
        yield r.value;
      }
    } finally {
      res.stream.destroy();
    }
  }

  /** A whole body of at most `limit` bytes (a manifest, a config): a bigger one is refused unread. */
  async bytes(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
    const tooBig = () => new SkiffError(`${what} is larger than ${limit} bytes, the most accepted`);
    if (Number(res.headers.get('content-length') ?? 0) > limit) { await res.body?.cancel(); throw tooBig(); }
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of this.chunks(res, what)) {
      n += c.length;
      if (n > limit) throw tooBig();
      parts.push(c);
    }
    return Buffer.concat(parts);
  }

  /** A path under /v2/<repository>/, an absolute path on the registry, or a URL (an upload Location). */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    return path.startsWith('/') ? `${this.base}${path}` : `${this.base}/v2/${this.repository}/${path}`;
  }

  /**
   * One request, authenticated on a 401 and sent again (so a streamed body
   * must follow a request that already authenticated). A status not ok and
   * not in `accept` is thrown as the registry's error.
   */
  async request(method: string, path: string, o: { headers?: Record<string, string>; body?: Buffer | AsyncIterable<Buffer>; accept?: number[] } = {}): Promise<HttpResponse> {
    const url = this.url(path);
    traceStep(`registry_${method.toLowerCase()}`, url);
    const actions = method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push';
    const init = (): HttpInit => ({ method, headers: { ...o.headers, ...this.authHeader() }, ...(o.body ? { body: o.body } : {}) });
    let sentWith = this.token;
    let res = await this.fetchRaw(url, init());
    // On a 401: if a request running beside this one changed the token
    // meanwhile, send again with it; else follow this challenge. Twice at
    // most: a token another request fetched may lack this one's scope.
    // A streamed body cannot be sent twice.
    const resendable = !(o.body && !Buffer.isBuffer(o.body));
    for (let tries = 0; res.status === 401 && resendable && tries < 2; tries++) {
      if (this.token === sentWith && !(await this.authenticate(res.headers.get('www-authenticate'), actions))) break;
      await res.body?.cancel();
      sentWith = this.token;
      res = await this.fetchRaw(url, init());
    }
    if (!res.ok && !o.accept?.includes(res.status)) {
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

  async get(path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request('GET', path, { headers });
  }

  async manifest(reference: string): Promise<{ body: Buffer; mediaType: string; digest?: string }> {
    const res = await this.get(`manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    const body = await this.bytes(res, MAX_MANIFEST, `manifest ${reference}`);
    return { body, mediaType: res.headers.get('content-type')?.split(';')[0] ?? '', digest: res.headers.get('docker-content-digest') ?? undefined };
  }

  async blob(digest: string): Promise<HttpResponse> {
    return this.get(`blobs/${digest}`);
  }
}
