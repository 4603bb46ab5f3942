// Routes of the Docker Engine API: "METHOD /path/{param}" patterns matched
// against a request's path once the optional version prefix ("/v1.41") is
// taken off. moby serves every route both versioned and unversioned
// (api/server/server.go); so does skiff.
import { ApiError } from './errors.js';

/** The API versions this server speaks: the newest it implements, and the oldest it accepts. */
export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';

export interface Params { [name: string]: string }

interface Route<H> { method: string; pattern: RegExp; names: string[]; handler: H }

/** "1.41" < "1.9" as numbers per component, as moby's versions.LessThan compares. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

export interface Resolved<H> { handler: H; params: Params; version: string }

export class Router<H> {
  private routes: Route<H>[] = [];

  /** `path` is like "/containers/{id}/start"; {name} matches one path segment. */
  add(method: string, path: string, handler: H): this {
    const names: string[] = [];
    const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    // {name:.*} takes the rest of the path (image names have slashes: /images/{name:.*}/json).
    const source = path.split(/(\{\w+(?::\.\*)?\})/).map((part) => {
      const param = /^\{(\w+)(:\.\*)?\}$/.exec(part);
      if (!param) return escape(part);
      names.push(param[1]);
      return param[2] ? '(.+)' : '([^/]+)';
    }).join('');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /**
   * The handler for a request, or an ApiError: 400 for a version outside
   * [MIN_API_VERSION, API_VERSION] (moby's texts, which clients show), 404
   * for an unknown path, 405 for a known path with another method.
   */
  resolve(method: string, rawPath: string): Resolved<H> {
    let path = rawPath;
    let version = API_VERSION;
    const m = /^\/v([0-9][0-9.]*)(\/.*)$/.exec(rawPath);
    if (m) {
      version = m[1];
      path = m[2];
      if (compareVersions(version, API_VERSION) > 0)
        throw new ApiError(400, `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
      if (compareVersions(version, MIN_API_VERSION) < 0)
        throw new ApiError(400, `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
    // HEAD is served by the GET route (the body is not sent), as Go's mux does for /_ping.
    const wanted = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    let pathKnown = false;
    for (const want of wanted) {
      for (const r of this.routes) {
        const found = r.pattern.exec(path);
        if (!found) continue;
        pathKnown = true;
        if (r.method !== want) continue;
        const params: Params = {};
        r.names.forEach((n, i) => { params[n] = decodeURIComponent(found[i + 1]); });
        return { handler: r.handler, params, version };
      }
    }
    if (pathKnown) throw new ApiError(405, `method ${method} not allowed for ${path}`);
    throw new ApiError(404, `page not found`);
  }
}
