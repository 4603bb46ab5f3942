// POST /auth: checks a user's credentials against a registry's /v2/ (Basic,
// or a Bearer token from the realm its challenge names). Nothing is stored
// here: as with dockerd, the client keeps the credentials it logged in with
// (docker login writes ~/.docker/config.json) and sends them with each pull
// and push (X-Registry-Auth).
import { SkiffError } from '../../../errors.js';
import { DEFAULT_REGISTRY } from '../../../image/reference.js';
import { parseChallenge, registryBase, type Credentials } from '../../../image/registry.js';
import { insecureRegistries } from '../../daemonConfig.js';
import type { CoreContext } from '../context.js';

export interface AuthResult { Status: 'Login Succeeded'; IdentityToken: string }

/** The registry a login names: "https://index.docker.io/v1/" and "" are Docker Hub; a scheme is dropped. */
export function loginRegistry(server: string | undefined): string {
  if (!server || /^https?:\/\/(index\.)?docker\.io(\/|$)/.test(server)) return DEFAULT_REGISTRY;
  return server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export async function registryLogin(ctx: CoreContext, server: string | undefined, creds: Credentials): Promise<AuthResult> {
  const registry = loginRegistry(server);
  const basic = 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  const base = registryBase(registry, insecureRegistries(ctx.root, ctx.insecureRegistries));
  let res: Response;
  try {
    res = await fetch(`${base}/v2/`);
    if (res.status === 401) {
      const { scheme, params } = parseChallenge(res.headers.get('www-authenticate') ?? '');
      if (scheme === 'bearer' && params.realm) {
        const url = new URL(params.realm);
        if (params.service) url.searchParams.set('service', params.service);
        res = await fetch(url, { headers: { Authorization: basic } });
      } else {
        res = await fetch(`${base}/v2/`, { headers: { Authorization: basic } });
      }
    }
  } catch (err) {
    throw new SkiffError(`registry ${registry} is unreachable: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`, 'unavailable');
  }
  // docker's text: "login attempt to https://host/v2/ failed with status: 401 Unauthorized".
  if (!res.ok) throw new SkiffError(`login attempt to ${base}/v2/ failed with status: ${res.status} ${res.statusText || 'Unauthorized'}`, res.status === 401 ? 'unauthorized' : 'system');
  return { Status: 'Login Succeeded', IdentityToken: '' };
}
