// Exec routes: create an exec instance, start it (hijacked like attach:
// raw with a TTY, stdcopy-framed without), resize its TTY, inspect it for
// the exit code (what `docker exec` reports). Each calls one core operation.
import { PassThrough } from 'node:stream';
import type { ExecCreateRequest } from '../../engine/api-types.js';
import { terminalSize } from '../../engine/core/containers/resize.js';
import type { RouteContext } from '../routeContext.js';
import type { Handler } from '../server.js';
import { STDERR, STDOUT } from '../stdcopy.js';
import { clientSink } from './streams.js';
import { checkFields, EXEC_CONFIG, EXEC_START, strslice } from './validate.js';

export function execRoutes({ router, engine }: RouteContext): void {
  const create: Handler = async (call) => {
    const body = await call.body<ExecCreateRequest>();
    checkFields('ExecConfig', body, EXEC_CONFIG);
    call.json(201, await engine.execCreate(call.params.id, { ...body, Cmd: strslice(body.Cmd) ?? [] }));
  };

  const start: Handler = async (call) => {
    const body = await call.body<{ Detach?: boolean; Tty?: boolean }>();
    checkFields('ExecStartConfig', body, EXEC_START);
    const x = engine.execInspect(call.params.id); // 404 before the connection is taken over
    if (body.Detach) {
      await engine.execStart(call.params.id);
      return call.empty(200);
    }
    const conn = call.hijack();
    const tty = x.ProcessConfig.tty;
    const stdout = x.OpenStdout ? clientSink(conn.output, call.signal, tty ? undefined : STDOUT) : undefined;
    const stderr = x.OpenStderr ? clientSink(conn.output, call.signal, tty ? undefined : STDERR) : undefined;
    try {
      // Taken at once: what the client sends before the process runs (and its EOF) waits here, bounded by backpressure.
      const stdin = x.OpenStdin ? conn.input.pipe(new PassThrough()) : undefined;
      await engine.execStart(call.params.id, { stdin, stdout, stderr });
    } finally {
      // What the sinks still hold goes out before the end.
      await Promise.all([stdout, stderr].map((w) => w && new Promise((resolve) => w.end(resolve))));
      conn.output.end();
    }
  };

  const resize: Handler = async (call) => {
    const { rows, columns } = terminalSize(call.query.get('h'), call.query.get('w'));
    engine.execResize(call.params.id, rows, columns);
    call.empty(200);
  };

  const inspect: Handler = async (call) => call.json(200, engine.execInspect(call.params.id));

  router
    .add('POST', '/containers/{id}/exec', create)
    .add('POST', '/exec/{id}/start', start)
    .add('POST', '/exec/{id}/resize', resize)
    .add('GET', '/exec/{id}/json', inspect);
}
