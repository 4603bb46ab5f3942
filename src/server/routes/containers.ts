// Container routes: each decodes a request, calls one engine core operation
// and encodes its answer (moby's api/server/router/container). The streams
// (attach, logs, stats, export, archive) are written with backpressure and
// stop writing once the client has gone (streams.ts clientSink).
import { lstatSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { ContainerCreateRequest, HostConfigRequest } from '../../engine/api-types.js';
import type { AttachStreams } from '../../engine/attach.js';
import { statusText } from '../../engine/containers.js';
import type { LogEntry } from '../../engine/core/containers/logs.js';
import { terminalSize } from '../../engine/core/containers/resize.js';
import type { WaitCondition } from '../../engine/core/containers/wait.js';
import type { UpdateConfig } from '../../engine/core/containers/update.js';
import { containerSummary } from '../../engine/views.js';
import { SkiffError, describe, execFailureCode, kindOf } from '../../errors.js';
import type { RouteContext } from '../routeContext.js';
import { ApiError } from '../errors.js';
import type { Call, Handler } from '../server.js';
import { STDERR, STDOUT } from '../stdcopy.js';
import { filtersParam } from '../query.js';
import { boolQuery, clientSink, intQuery, nullSink, timeQuery } from './streams.js';
import { checkFields, CONTAINER_CONFIG, HOST_CONFIG, strslice, UPDATE_CONFIG } from './validate.js';

const WAIT_CONDITIONS = ['not-running', 'next-exit', 'removed'];

/** node-tar's warnings for an entry it would skip: the archive is refused instead (TAR_ENTRY_INFO, an absolute name taken as relative, is not one). */
const REFUSED_TAR_WARNINGS = new Set(['TAR_ENTRY_ERROR', 'TAR_ENTRY_UNSUPPORTED', 'TAR_ENTRY_INVALID', 'TAR_BAD_ARCHIVE']);

/** A scratch directory for one archive request, removed whatever happens. */
async function withScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-archive-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Unpacks a PUT archive body into the scratch directory `dir`. node-tar
 * keeps it there: an entry it would skip (a ".." name, a path through a
 * symlink, a hard link or symlink out, a device) refuses the whole archive
 * before anything reaches the container, in one sentence naming the entry
 * (moby refuses the same ones as breakouts). Absolute names are taken from
 * the destination, as docker takes them. node-tar also makes absolute
 * symlink targets relative; they are put back as written (docker cp keeps
 * "lib -> /usr/lib"), which is safe: the copy into the container resolves
 * every path inside the container's root.
 */
async function extractUpload(body: Readable, dir: string): Promise<void> {
  let refusal: ApiError | undefined;
  const inScratch = (text: string) => text.split(dir + '/').join('');
  const onwarn = (code: string, message: string, data: Record<string, unknown>) => {
    if (refusal || !REFUSED_TAR_WARNINGS.has(code)) return;
    const name = (data.entry as { path?: string } | undefined)?.path ?? (typeof data.path === 'string' ? data.path : undefined);
    const why = inScratch(message.replace(/^TAR_[A-Z_]+: /, '')).replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
    refusal = new ApiError(400, name === undefined ? `invalid archive: ${why}` : `archive entry "${inScratch(name)}": ${why}`);
  };
  const absoluteLinks = new Map<string, string>();
  const filter = (name: string, entry: unknown) => {
    const e = entry as { type?: string; linkpath?: string };
    const key = name.replace(/^\/+/, '');
    absoluteLinks.delete(key); // a later entry of the same name wins
    if (e.type === 'SymbolicLink' && e.linkpath?.startsWith('/')) absoluteLinks.set(key, e.linkpath);
    return true;
  };
  await pipeline(body, tar.x({ cwd: dir, preserveOwner: true, onwarn, filter }))
    .catch((err: Error) => { throw refusal ?? new ApiError(400, `invalid archive: ${inScratch(err.message.replace(/^TAR_[A-Z_]+: /, ''))}`); });
  if (refusal) throw refusal;
  for (const [name, target] of absoluteLinks) {
    const at = join(dir, name);
    if (!lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) continue;
    rmSync(at);
    symlinkSync(target, at);
  }
}

export function containerRoutes({ router, engine }: RouteContext): void {
  const create: Handler = async (call) => {
    const body = await call.body<ContainerCreateRequest>();
    checkFields('ContainerConfig', body, CONTAINER_CONFIG);
    if (body.HostConfig) checkFields('HostConfig', body.HostConfig, HOST_CONFIG);
    if (body.HostConfig?.RestartPolicy) checkFields('HostConfig.RestartPolicy', body.HostConfig.RestartPolicy, { Name: 'string', MaximumRetryCount: 'number' });
    const name = call.query.get('name') || undefined;
    const req: ContainerCreateRequest = { ...body, Cmd: strslice(body.Cmd), Entrypoint: strslice(body.Entrypoint), HostConfig: (body.HostConfig ?? {}) as HostConfigRequest };
    const created = await engine.containerCreate(req, { name });
    call.json(201, { Id: created.Id, Warnings: created.Warnings });
  };

  const list: Handler = async (call) => {
    const records = await engine.containerList({ all: boolQuery(call, 'all'), limit: intQuery(call, 'limit') === -1 ? undefined : intQuery(call, 'limit'), filters: filtersParam(call.query) });
    // size=1 (docker ps -s): SizeRw and SizeRootFs, which walk each container's layer.
    const size = boolQuery(call, 'size');
    call.json(200, records.map((c) => ({ ...containerSummary(c, statusText(c)), ...(size ? engine.containerSize(c) : {}) })));
  };

  const inspect: Handler = async (call) => {
    const c = await engine.containerInspect(call.params.id);
    call.json(200, boolQuery(call, 'size') ? { ...c, ...engine.containerSize(c) } : c);
  };

  const start: Handler = async (call) => {
    try {
      await engine.containerStart(call.params.id);
    } catch (err) {
      // The docker CLI picks run's exit code from these words (126, 127; else 125).
      const code = execFailureCode(err);
      if (code === undefined) throw err;
      const words = code === 127 ? 'executable file not found in $PATH' : 'permission denied';
      throw new SkiffError(`failed to create task for container: ${describe(err as Error)}: ${words}`, kindOf(err));
    }
    call.empty(204);
  };

  const stop: Handler = async (call) => {
    await engine.containerStop(call.params.id, { t: intQuery(call, 't'), signal: call.query.get('signal') || undefined });
    call.empty(204);
  };

  const restart: Handler = async (call) => {
    await engine.containerRestart(call.params.id, { t: intQuery(call, 't') });
    call.empty(204);
  };

  const kill: Handler = async (call) => {
    await engine.containerKill(call.params.id, call.query.get('signal') || undefined);
    call.empty(204);
  };

  const wait: Handler = async (call) => {
    const condition = call.query.get('condition') || 'not-running';
    if (!WAIT_CONDITIONS.includes(condition)) throw new ApiError(400, `invalid condition: "${condition}"`);
    // The container must exist before the answer starts (a 404 is a status, not a body).
    await engine.containerInspect(call.params.id);
    // dockerd sends the header at once (the client knows the wait is set before it starts the container).
    const out = call.stream('application/json');
    const result = await engine.containerWait(call.params.id, condition as WaitCondition, call.signal);
    out.end(JSON.stringify(result) + '\n');
  };

  const pause: Handler = async (call) => {
    await engine.containerPause(call.params.id);
    call.empty(204);
  };

  const unpause: Handler = async (call) => {
    await engine.containerUnpause(call.params.id);
    call.empty(204);
  };

  const update: Handler = async (call) => {
    const body = await call.body<UpdateConfig>();
    checkFields('UpdateConfig', body, UPDATE_CONFIG);
    // The docker CLI sends an empty RestartPolicy when --restart was not given: no change.
    if (body.RestartPolicy && !body.RestartPolicy.Name) delete body.RestartPolicy;
    call.json(200, await engine.containerUpdate(call.params.id, body));
  };

  const rename: Handler = async (call) => {
    const name = call.query.get('name');
    if (!name) throw new ApiError(400, 'new name is required');
    await engine.containerRename(call.params.id, name.replace(/^\//, ''));
    call.empty(204);
  };

  const resize: Handler = async (call) => {
    const { rows, columns } = terminalSize(call.query.get('h'), call.query.get('w'));
    await engine.containerResize(call.params.id, rows, columns);
    call.empty(200);
  };

  /**
   * logs=1 of an attach: the log so far (up to `cut`, when the live attach
   * began) into the client's sinks, then what the live attach wrote
   * meanwhile into `gates`, then the rest as it comes. moby daemon/attach.go
   * does the same (its log read and its attach are not one instant either: a
   * line written in that moment may show twice).
   */
  async function replayThenLive(call: Call, cut: number, live: Record<'stdout' | 'stderr', Writable>, gates?: Record<'stdout' | 'stderr', PassThrough>): Promise<void> {
    let entries: Readable | undefined;
    const onAbort = () => entries?.destroy();
    call.signal.addEventListener('abort', onAbort, { once: true });
    try {
      entries = await engine.containerLogs(call.params.id, { until: cut });
      for await (const e of entries as AsyncIterable<LogEntry>) {
        if (call.signal.aborted) break;
        if (!live[e.stream].write(e.line)) await once(live[e.stream], 'drain');
      }
    } catch (err) {
      if (!call.signal.aborted) throw err;
    } finally {
      call.signal.removeEventListener('abort', onAbort);
      entries?.destroy();
      // Even after a failed read the live output must flow, or the attach would wait on it forever.
      for (const s of ['stdout', 'stderr'] as const) gates?.[s].pipe(live[s]);
    }
  }

  const attach: Handler = async (call) => {
    const id = call.params.id;
    const c = await engine.containerInspect(id);
    const wantStdin = boolQuery(call, 'stdin');
    // The connection is taken over (101) once the core accepts the attach;
    // the client attach reads these streams only after that.
    let conn: ReturnType<Call['hijack']> | undefined;
    const sink = (wanted: boolean, stream: typeof STDOUT | typeof STDERR) =>
      conn && wanted ? clientSink(conn.output, call.signal, c.Config.Tty ? undefined : stream) : nullSink();
    const clientSinks = () => ({ stdout: sink(boolQuery(call, 'stdout'), STDOUT), stderr: sink(boolQuery(call, 'stderr'), STDERR) });
    // stream=0: no live attach, only the log with logs=1 (moby: "logs" and "stream" are separate parts).
    if (call.query.get('stream') !== null && !boolQuery(call, 'stream')) {
      conn = call.hijack();
      const live = clientSinks();
      if (boolQuery(call, 'logs')) await replayThenLive(call, Date.now(), live);
      await Promise.all([live.stdout, live.stderr].map((w) => new Promise((resolve) => w.end(resolve))));
      conn.output.end();
      return;
    }
    let out: { stdout: Writable; stderr: Writable } | undefined;
    let replay: Promise<void> | undefined;
    let live: Record<'stdout' | 'stderr', Writable> | undefined;
    let input: PassThrough | undefined;
    const streams: AttachStreams = {
      get stdout() { return out!.stdout; },
      get stderr() { return out!.stderr; },
      get stdin() { return wantStdin ? input : undefined; },
    };
    await engine.containerAttach(id, streams, {
      stdin: wantStdin, detachKeys: call.query.get('detachKeys') || undefined, signal: call.signal,
      ready: () => {
        conn = call.hijack();
        // Taken at once: what the client sends before the container starts (and its EOF) waits here, bounded by backpressure.
        input = wantStdin ? conn.input.pipe(new PassThrough()) : undefined;
        live = clientSinks();
        if (!boolQuery(call, 'logs')) { out = live; return; }
        // logs=1: the live output waits (bounded by backpressure) behind the log so far.
        const gates = { stdout: new PassThrough(), stderr: new PassThrough() };
        out = gates;
        replay = replayThenLive(call, Date.now(), live, gates);
        void replay.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
      },
    });
    // What the sinks still hold goes out before the end.
    if (out) await Promise.all([out.stdout, out.stderr].map((w) => new Promise((resolve) => w.end(resolve))));
    if (replay) {
      await replay.catch(() => {});
      await Promise.all([live!.stdout, live!.stderr].map((w) => (w.writableFinished ? undefined : once(w, 'finish').catch(() => {}))));
    }
    conn?.output.end();
  };

  const logs: Handler = async (call) => {
    const stdout = boolQuery(call, 'stdout');
    const stderr = boolQuery(call, 'stderr');
    // moby: "Bad parameters: you must choose at least one stream".
    if (!stdout && !stderr) throw new ApiError(400, 'Bad parameters: you must choose at least one stream');
    const c = await engine.containerInspect(call.params.id);
    const tailText = call.query.get('tail');
    let tail: number | undefined;
    if (tailText && tailText !== 'all') {
      tail = Number(tailText);
      if (!Number.isInteger(tail) || tail < 0) tail = undefined; // moby: a bad tail is "all"
    }
    const entries = await engine.containerLogs(call.params.id, {
      follow: boolQuery(call, 'follow'), since: timeQuery(call, 'since'), until: timeQuery(call, 'until'), tail,
    });
    const tty = c.Config.Tty;
    const res = call.stream(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    const out = { stdout: clientSink(res, call.signal, tty ? undefined : STDOUT), stderr: clientSink(res, call.signal, tty ? undefined : STDERR) };
    const timestamps = boolQuery(call, 'timestamps');
    const onAbort = () => entries.destroy();
    call.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const e of entries as AsyncIterable<LogEntry>) {
        if (call.signal.aborted) break;
        if (e.stream === 'stdout' ? !stdout : !stderr) continue;
        const sink = out[e.stream];
        if (!sink.write(timestamps ? `${e.time} ${e.line}` : e.line)) await once(sink, 'drain');
      }
    } catch (err) {
      if (!call.signal.aborted) throw err;
    } finally {
      call.signal.removeEventListener('abort', onAbort);
      entries.destroy();
    }
    res.end();
  };

  const stats: Handler = async (call) => {
    // docker's default is a stream; stream=false (or one-shot) is one reading.
    const stream = call.query.get('stream') === null || boolQuery(call, 'stream');
    await engine.containerInspect(call.params.id);
    const readings = engine.containerStats(call.params.id, { stream: stream && !boolQuery(call, 'one-shot'), signal: call.signal });
    if (!stream) {
      for await (const s of readings) return call.json(200, s);
      throw new ApiError(404, `No such container: ${call.params.id}`);
    }
    const res = call.stream('application/json');
    const sink = clientSink(res, call.signal);
    for await (const s of readings) {
      if (call.signal.aborted) break;
      if (!sink.write(JSON.stringify(s) + '\n')) await once(sink, 'drain');
    }
    res.end();
  };

  const top: Handler = async (call) => call.json(200, await engine.containerTop(call.params.id, call.query.get('ps_args') || undefined));

  const changes: Handler = async (call) => call.json(200, await engine.containerChanges(call.params.id));

  const exportTar: Handler = async (call) => {
    await engine.containerInspect(call.params.id);
    const res = call.stream('application/x-tar');
    await engine.containerExport(call.params.id, clientSink(res, call.signal)).catch((err) => { if (!call.signal.aborted) throw err; });
    res.end();
  };

  /** X-Docker-Container-Path-Stat: the stat as base64 JSON (what docker cp decodes). */
  const statHeader = async (call: Call) => {
    const path = call.query.get('path');
    if (!path) throw new ApiError(400, 'bad parameter: path cannot be empty');
    const stat = await engine.containerArchiveStat(call.params.id, path);
    return { path, stat, header: Buffer.from(JSON.stringify(stat)).toString('base64') };
  };

  const archiveHead: Handler = async (call) => {
    const { header } = await statHeader(call);
    call.stream('application/json', 200, { 'X-Docker-Container-Path-Stat': header }).end();
  };

  const archiveGet: Handler = async (call) => {
    if (call.method === 'HEAD') return archiveHead(call);
    const { path, stat, header } = await statHeader(call);
    await withScratch(async (dir) => {
      // Copied out by the core first (symlinks kept as links, the container's root never left), then archived.
      const name = stat.name === '/' || stat.name === '.' ? posix.basename(posix.dirname(posix.normalize(path))) || 'root' : stat.name;
      await engine.containerArchiveGet(call.params.id, path, join(dir, name), path.endsWith('/.'));
      const res = call.stream('application/x-tar', 200, { 'X-Docker-Container-Path-Stat': header });
      await pipeline(tar.c({ cwd: dir, portable: true }, [name]), clientSink(res, call.signal)).catch((err) => { if (!call.signal.aborted) throw err; });
      res.end();
    });
  };

  const archivePut: Handler = async (call) => {
    const { path, stat } = await statHeader(call);
    // moby: the destination must be a directory that exists (ModeDir is bit 31 of Go's FileMode).
    if (stat.mode < 2 ** 31) throw new ApiError(400, `extraction point is not a directory: ${path}`);
    await withScratch(async (dir) => {
      await extractUpload(call.raw(), dir);
      await engine.containerArchivePut(call.params.id, join(dir, '.'), path, true);
    });
    call.empty(200);
  };

  const remove: Handler = async (call) => {
    await engine.containerRemove(call.params.id, { force: boolQuery(call, 'force'), v: boolQuery(call, 'v') });
    call.empty(204);
  };

  const prune: Handler = async (call) => {
    const report = await engine.containerPrune({ filters: filtersParam(call.query, ['until', 'label', 'label!']) });
    call.json(200, { ...report, ContainersDeleted: report.ContainersDeleted.length ? report.ContainersDeleted : null });
  };

  router
    .add('POST', '/containers/create', create)
    .add('GET', '/containers/json', list)
    .add('POST', '/containers/prune', prune)
    .add('GET', '/containers/{id}/json', inspect)
    .add('POST', '/containers/{id}/start', start)
    .add('POST', '/containers/{id}/stop', stop)
    .add('POST', '/containers/{id}/restart', restart)
    .add('POST', '/containers/{id}/kill', kill)
    .add('POST', '/containers/{id}/wait', wait)
    .add('POST', '/containers/{id}/pause', pause)
    .add('POST', '/containers/{id}/unpause', unpause)
    .add('POST', '/containers/{id}/update', update)
    .add('POST', '/containers/{id}/rename', rename)
    .add('POST', '/containers/{id}/resize', resize)
    .add('POST', '/containers/{id}/attach', attach)
    .add('GET', '/containers/{id}/logs', logs)
    .add('GET', '/containers/{id}/stats', stats)
    .add('GET', '/containers/{id}/top', top)
    .add('GET', '/containers/{id}/changes', changes)
    .add('GET', '/containers/{id}/export', exportTar)
    .add('GET', '/containers/{id}/archive', archiveGet)
    .add('PUT', '/containers/{id}/archive', archivePut)
    .add('DELETE', '/containers/{id}', remove);
}

