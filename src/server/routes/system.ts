// System routes: ping and version. Clients call these first: the docker CLI
// pings to learn the server's API version and negotiates down to it
// (client.NegotiateAPIVersion), so these answers decide which version every
// later request carries.
import { arch, release } from 'node:os';
import { SKIFF_VERSION } from '../../engine/core/system/version.js';
import type { Handler } from '../server.js';
import { API_VERSION, MIN_API_VERSION } from '../router.js';
import type { RouteContext } from '../routeContext.js';
import { once } from 'node:events';
import { SkiffError } from '../../errors.js';
import { FILTER_KEYS, parseEventFilters } from '../../engine/events.js';
import { ApiError } from '../errors.js';
import { filtersParam, objectBody, stringField } from '../query.js';
import type { Call } from '../server.js';


/** Go's GOARCH names, which clients print and match (docker version's "OS/Arch"). */
export function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[arch()] ?? arch();
}

const ping: Handler = async (call) => {
  // moby's /_ping headers: API-Version, OSType, Docker-Experimental, Builder-Version.
  const headers = { 'OSType': 'linux', 'Docker-Experimental': 'false', 'Builder-Version': '1', 'Cache-Control': 'no-cache, no-store, must-revalidate', 'Pragma': 'no-cache' };
  const out = call.stream('text/plain; charset=utf-8', 200, headers);
  out.end(call.method === 'HEAD' ? undefined : 'OK');
};

const version: Handler = async (call) => {
  const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: release() };
  call.json(200, {
    Platform: { Name: 'skiff' },
    Components: [{ Name: 'Engine', Version: SKIFF_VERSION, Details: { ...details, GitCommit: '', GoVersion: '' } }],
    Version: SKIFF_VERSION, GitCommit: '', GoVersion: '', BuildTime: '', ...details,
  });
};

/** since/until of GET /events: unix seconds ("1700000000" or "1700000000.5"), or an RFC 3339 date; as ms. */
function timeParam(call: Call, name: string): number | undefined {
  const v = call.query.get(name);
  if (v === null || v === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) throw new ApiError(400, `invalid ${name} ${JSON.stringify(v)}: use unix seconds or an RFC 3339 date`);
  return ms;
}

/**
 * GET /events: the logged events in since..until, then new ones as they
 * happen, one JSON message a line, until `until` passes or the client goes
 * away. A client that stops reading makes the stream wait (drain), not grow.
 */
async function events({ engine }: RouteContext, call: Call): Promise<void> {
  const map = filtersParam(call.query, FILTER_KEYS);
  const filters = parseEventFilters(Object.entries(map).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)));
  const query = { since: timeParam(call, 'since'), until: timeParam(call, 'until'), filters };
  const out = call.stream('application/json');
  out.on('error', () => {});
  for await (const e of engine.systemEvents(query, call.signal)) {
    if (call.signal.aborted || out.destroyed) break;
    if (!out.write(JSON.stringify(e) + '\n')) await Promise.race([once(out, 'drain'), once(call.signal, 'abort')]);
  }
  if (!out.destroyed) out.end();
}

/** POST /auth: the body's credentials checked against the registry; nothing kept (the client keeps them). */
async function auth({ engine }: RouteContext, call: Call): Promise<void> {
  const body = objectBody(await call.body());
  const user = stringField(body, 'username');
  const password = stringField(body, 'password');
  if (!user || password === undefined) throw new SkiffError('login needs a username and a password (identity tokens are not supported)', 'invalid');
  call.json(200, await engine.systemAuth(stringField(body, 'serveraddress'), { user, password }));
}

export function systemRoutes(ctx: RouteContext): void {
  const { router, engine } = ctx;
  router.add('GET', '/_ping', ping).add('GET', '/version', version)
    .add('GET', '/info', async (call) => call.json(200, await engine.systemInfo()))
    .add('GET', '/system/df', async (call) => call.json(200, await engine.systemDf()))
    .add('GET', '/events', (call) => events(ctx, call))
    .add('POST', '/auth', (call) => auth(ctx, call))
    // docker system prune asks the builder to prune too; skiff builds nothing, so there is no cache.
    .add('POST', '/build/prune', async (call) => call.json(200, { CachesDeleted: [], SpaceReclaimed: 0 }));
}
