// Image routes: list, inspect, history, tag, remove, prune, pull and import
// (POST /images/create), push, load, save, commit. Each decodes the
// request, calls one engine-core operation and encodes its answer in
// moby's shape (api/server/router/image/image_routes.go).
import type { Credentials } from '../../image/registry.js';
import { parseReference } from '../../image/reference.js';
import { IMAGE_FILTERS } from '../../engine/core/images/list.js';
import { pullStatus } from '../../engine/core/images/pull.js';
import type { RouteContext } from '../routeContext.js';
import { ApiError } from '../errors.js';
import { JsonStream } from '../jsonStream.js';
import { boolFilter, boolParam, filtersParam } from '../query.js';
import type { Call } from '../server.js';

/**
 * X-Registry-Auth: base64url JSON {username, password} (or {auth: base64
 * "user:password"}). As dockerd does, a header that does not decode is no
 * credentials, not an error (the docker CLI sends "e30=", {}, when it has none).
 */
export function registryAuth(call: Call): Credentials | undefined {
  const header = call.headers['x-registry-auth'];
  if (typeof header !== 'string' || !header) return undefined;
  try {
    const v = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { username?: unknown; password?: unknown; auth?: unknown };
    if (typeof v.username === 'string' && v.username && typeof v.password === 'string') return { user: v.username, password: v.password };
    if (typeof v.auth === 'string' && v.auth) {
      const plain = Buffer.from(v.auth, 'base64').toString('utf8');
      const i = plain.indexOf(':');
      if (i > 0) return { user: plain.slice(0, i), password: plain.slice(i + 1) };
    }
  } catch { /* not JSON: no credentials */ }
  return undefined;
}

/** fromImage + tag as one reference: "busybox" + "1.36", or + "sha256:..." (a digest). */
function pullReference(image: string, tag: string | null): string {
  if (!tag) return image;
  return /^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag) ? `${image}@${tag}` : `${image}:${tag}`;
}

/** repo + tag as one reference (tag, commit, import): docker's "repo:tag", or none. */
function targetReference(call: Call): string | undefined {
  const repo = call.query.get('repo');
  if (!repo) return undefined;
  const tag = call.query.get('tag');
  return tag ? `${repo}:${tag}` : repo;
}

async function pull(ctx: RouteContext, call: Call): Promise<void> {
  const name = pullReference(call.query.get('fromImage')!, call.query.get('tag'));
  const ref = parseReference(name); // a bad name is a 400 before anything is sent
  const stream = new JsonStream(call);
  await stream.run(async () => {
    const result = await ctx.engine.imagePull(name, {
      platform: call.query.get('platform') || undefined,
      credentials: registryAuth(call),
      signal: call.signal, // dockerd cancels a pull whose client went away; so do we
      onProgress: (e) => {
        if (e.id) stream.start(); // the first layer: the pull has begun
        stream.write(e);
      },
    });
    for (const status of pullStatus(ref, result)) stream.write({ status });
  });
}

async function importImage(ctx: RouteContext, call: Call): Promise<void> {
  const src = call.query.get('fromSrc')!;
  // dockerd also downloads fromSrc=URL; skiff takes the tarball in the body only.
  if (src !== '-') throw new ApiError(501, `import from ${JSON.stringify(src)} is not supported: send the tarball in the request body (fromSrc=-)`);
  const reference = targetReference(call);
  if (reference) parseReference(reference);
  const { Id } = await ctx.engine.imageImport(call.raw() as AsyncIterable<Buffer>, { reference, changes: call.query.getAll('changes'), message: call.query.get('message') ?? undefined });
  const stream = new JsonStream(call);
  stream.write({ status: Id });
  stream.end();
}

async function push(ctx: RouteContext, call: Call): Promise<void> {
  const tag = call.query.get('tag');
  const name = tag ? `${call.params.name}:${tag}` : call.params.name;
  // Without a tag docker pushes every tag of the repository (API < 1.44 and the CLI's -a).
  const allTags = !tag && !/:[^/]*$/.test(call.params.name);
  const stream = new JsonStream(call);
  await stream.run(async () => {
    const pushed = await ctx.engine.imagePush(name, {
      allTags,
      credentials: registryAuth(call),
      onProgress: (e) => {
        if (e.id) stream.start();
        stream.write(e);
      },
    });
    // moby distribution/push_v2.go: the digest line, then the aux message SDKs read.
    for (const p of pushed) {
      stream.write({ status: `${p.tag}: digest: ${p.digest} size: ${p.size}` });
      stream.write({ progressDetail: {}, aux: { Tag: p.tag, Digest: p.digest, Size: p.size } });
    }
  });
}

async function remove(ctx: RouteContext, call: Call): Promise<void> {
  const lines = await ctx.engine.imageRemove(call.params.name, { force: boolParam(call.query, 'force') });
  // "Untagged: x" / "Deleted: sha256:..." as moby's ImageDeleteResponseItem list.
  call.json(200, lines.map((l) => (l.startsWith('Deleted: ') ? { Deleted: l.slice(9) } : { Untagged: l.replace(/^Untagged: /, '') })));
}

async function prune(ctx: RouteContext, call: Call): Promise<void> {
  const { dangling: _dangling, ...filters } = filtersParam(call.query, ['dangling', 'label', 'label!', 'until']);
  // dangling=false: every unused image (docker image prune -a).
  call.json(200, await ctx.engine.imagePrune({ all: boolFilter({ dangling: _dangling }, 'dangling') === false, filters }));
}

async function load(ctx: RouteContext, call: Call): Promise<void> {
  const lines = await ctx.engine.imageLoad(call.raw() as AsyncIterable<Buffer>);
  const stream = new JsonStream(call);
  for (const l of lines) stream.write({ stream: `${l}\n` });
  stream.end();
}

async function save(ctx: RouteContext, call: Call, names: string[]): Promise<void> {
  if (!names.length) throw new ApiError(400, 'no images to save: give names=NAME');
  for (const n of names) ctx.engine.imageInspect(n); // 404 before the archive begins
  const out = call.stream('application/x-tar');
  out.on('error', () => {});
  try {
    await ctx.engine.imageSave(names, out);
  } catch (err) {
    // Mid-archive there is no status to give: the client sees the connection end early.
    if (!call.signal.aborted) out.destroy(err as Error);
    return;
  }
  out.end();
}

async function commit(ctx: RouteContext, call: Call): Promise<void> {
  const container = call.query.get('container');
  if (!container) throw new ApiError(400, 'missing container parameter');
  const reference = targetReference(call);
  if (reference) parseReference(reference);
  await call.body(); // the config to merge (docker commit --change sends changes= instead); read so a bad body is a 400
  const pause = call.query.get('pause');
  const result = await ctx.engine.imageCommit(container, {
    reference, comment: call.query.get('comment') ?? undefined, author: call.query.get('author') ?? undefined,
    changes: call.query.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean), pause: pause === null ? true : boolParam(call.query, 'pause'),
  });
  call.json(201, result);
}

export function imageRoutes(ctx: RouteContext): void {
  const { router, engine } = ctx;
  router
    .add('GET', '/images/json', async (call) => call.json(200, engine.imageList({ filters: filtersParam(call.query, IMAGE_FILTERS) })))
    .add('POST', '/images/create', async (call) => {
      if (call.query.get('fromImage')) return pull(ctx, call);
      if (call.query.get('fromSrc')) return importImage(ctx, call);
      throw new ApiError(400, 'fromImage or fromSrc is required');
    })
    .add('POST', '/images/load', (call) => load(ctx, call))
    .add('GET', '/images/get', (call) => save(ctx, call, call.query.getAll('names')))
    .add('POST', '/images/prune', (call) => prune(ctx, call))
    .add('POST', '/commit', (call) => commit(ctx, call))
    .add('GET', '/images/{name:.*}/json', async (call) => call.json(200, engine.imageInspect(call.params.name)))
    .add('GET', '/images/{name:.*}/history', async (call) => call.json(200, engine.imageHistory(call.params.name)))
    .add('GET', '/images/{name:.*}/get', (call) => save(ctx, call, [call.params.name]))
    .add('POST', '/images/{name:.*}/tag', async (call) => {
      const target = targetReference(call);
      if (!target) throw new ApiError(400, 'repository name must have at least one component');
      await engine.imageTag(call.params.name, target);
      call.empty(201);
    })
    .add('POST', '/images/{name:.*}/push', (call) => push(ctx, call))
    .add('DELETE', '/images/{name:.*}', (call) => remove(ctx, call));
}

