// The fault matrix through the API server (issue 17, part 3, "and of the
// API server"): `skiff serve` started with SKIFF_FAULT=<step>
// (src/util/fault.ts) SIGKILLs itself at one named step of a container
// create, a start or an image load asked over HTTP: the engine's own steps,
// run in the server's process, and the server's "serve:answer-<status>",
// the work done and the answer never sent. For each step the test checks
// that the point was reached (SKIFF_FAULT_LOG), that the client saw the
// connection end, and that a fresh server on the same root finds the
// container or image whole (it starts, it runs) or gone, removes it, and
// leaves no mount, cgroup, veth, monitor, runtime state or temp file.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_IMAGES, Sandbox, tempFiles, type EngineCli } from '../helpers.js';
import { http, startServe, type Served } from '../serve.js';

const sb = new Sandbox('srvfault');
const LOG = join(sb.dir, 'faults.log');
let skiff: EngineCli;
test.before(async () => { skiff = await sb.engine(); });
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A server on `root` that dies at `step`. */
const armedServer = (root: string, step: string) => startServe(sb, root, 'serve', { SKIFF_FAULT: step, SKIFF_FAULT_LOG: LOG });

/** Whether the server died at `step` (its line in the log, and its process gone); clears the log. */
async function reached(served: Served, step: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const seen = existsSync(LOG) && readFileSync(LOG, 'utf8').split('\n').some((l) => l === `${step} ${served.pid}`);
    if (seen || Date.now() > deadline) {
      rmSync(LOG, { force: true });
      await served.stop(); // reaped (a SIGTERM to a dead process is nothing)
      return seen;
    }
    await sleep(50);
  }
}

/** The request's answer, or "gone" if the connection ended without one (the server died). */
async function ask(served: Served, method: string, path: string, body?: string | Buffer): Promise<number | 'gone'> {
  try {
    return (await http(served.sock, method, path, body, typeof body === 'string' ? JSON_HEADERS : {})).status;
  } catch {
    return 'gone';
  }
}

function leftovers(root: string, ids: string[]): string[] {
  const found = [...sb.leftovers(ids), ...tempFiles(root)];
  for (const d of ['tmp', 'pending']) if (existsSync(join(root, d))) for (const e of readdirSync(join(root, d))) found.push(`${d}/${e}`);
  return found;
}

interface Summary { Id: string; Names: string[]; State: string }

/** What a fresh server lists; each container is whole (starts and runs) and is then removed with its volumes. */
async function wholeOrGone(t: ExecutionContext, root: string, step: string, name: string): Promise<string[]> {
  const served = await startServe(sb, root, 'serve');
  try {
    const list = await http(served.sock, 'GET', '/v1.41/containers/json?all=1');
    t.is(list.status, 200, `${step}: list`);
    const mine = (JSON.parse(list.body) as Summary[]).filter((c) => c.Names.includes(`/${name}`));
    for (const c of mine) {
      t.true(['created', 'running', 'exited'].includes(c.State), `${step}: a coherent state (${c.State})`);
      const started = await http(served.sock, 'POST', `/v1.41/containers/${name}/start`);
      t.true(started.status === 204 || started.status === 304, `${step}: start: ${started.status} ${started.body}`);
      const inspect = JSON.parse((await http(served.sock, 'GET', `/v1.41/containers/${name}/json`)).body) as { State: { Status: string } };
      t.is(inspect.State.Status, 'running', `${step}: whole: it runs`);
      t.is((await http(served.sock, 'DELETE', `/v1.41/containers/${name}?force=1&v=1`)).status, 204, `${step}: rm -f -v`);
    }
    return mine.map((c) => c.Id);
  } finally {
    await served.stop();
  }
}

const CREATE = JSON.stringify({
  Image: 'busybox', Cmd: ['sleep', '100'],
  HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Binds: [] },
  Volumes: { '/data': {} },
});

// The steps of a create over the API: the record built aside, then the 201 unsent.
for (const step of ['record:built-aside', 'serve:answer-201']) {
  test.serial(`create through the API killed at ${step}: the container is whole or gone, nothing left`, async (t) => {
    const served = await armedServer(skiff.root, step);
    t.is(await ask(served, 'POST', '/v1.41/containers/create?name=fc', CREATE), 'gone', `${step}: the client saw the server go`);
    t.true(await reached(served, step), `${step}: the fault point was reached`);
    const ids = await wholeOrGone(t, skiff.root, step, 'fc');
    if (step === 'serve:answer-201') t.is(ids.length, 1, 'created before the answer: the container is there');
    t.deepEqual(leftovers(skiff.root, ids), [], step);
  });
}

// The steps of a start over the API (-p, an anonymous volume): the runtime
// create, the network plug and the start, then the 204 unsent.
for (const step of ['launch:network-planned', 'launch:created', 'launch:network-plugged', 'launch:started', 'serve:answer-204']) {
  test.serial(`start through the API killed at ${step}: the container starts again, rm -f -v leaves nothing`, async (t) => {
    const plain = await startServe(sb, skiff.root, 'serve');
    const created = await http(plain.sock, 'POST', '/v1.41/containers/create?name=fs', CREATE, JSON_HEADERS);
    await plain.stop();
    t.is(created.status, 201, created.body);
    const served = await armedServer(skiff.root, step);
    t.is(await ask(served, 'POST', '/v1.41/containers/fs/start'), 'gone', `${step}: the client saw the server go`);
    t.true(await reached(served, step), `${step}: the fault point was reached`);
    const ids = await wholeOrGone(t, skiff.root, step, 'fs');
    t.deepEqual(ids, [(JSON.parse(created.body) as { Id: string }).Id], `${step}: the container was kept`);
    t.deepEqual(leftovers(skiff.root, ids), [], step);
  });
}

// An image load over the API (POST /images/load): the archive unpacked, a
// layer unpacked, the image recorded; the next load and a run work, rmi
// and prune empty the store.
for (const step of ['load:archive-unpacked', 'layer:unpacked', 'image:recorded']) {
  test.serial(`load through the API killed at ${step}: the image is whole or gone, load again works`, async (t) => {
    const root = join(sb.dir, `load-${step.replace(/\W/g, '-')}`);
    const tar = readFileSync(join(FIXTURE_IMAGES, 'busybox-image.tar'));
    const served = await armedServer(root, step);
    t.is(await ask(served, 'POST', '/v1.41/images/load?quiet=1', tar), 'gone', `${step}: the client saw the server go`);
    t.true(await reached(served, step), `${step}: the fault point was reached`);
    const again = await startServe(sb, root, 'serve');
    try {
      t.is((await http(again.sock, 'GET', '/v1.41/images/json')).status, 200, `${step}: images`);
      t.is((await http(again.sock, 'POST', '/v1.41/images/load?quiet=1', tar)).status, 200, `${step}: load again`);
      const c = await http(again.sock, 'POST', '/v1.41/containers/create?name=fl', JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }), JSON_HEADERS);
      t.is(c.status, 201, `${step}: the image makes a container: ${c.body}`);
      t.is((await http(again.sock, 'DELETE', '/v1.41/containers/fl')).status, 204);
      t.is((await http(again.sock, 'DELETE', '/v1.41/images/busybox')).status, 200, `${step}: rmi`);
      t.is((await http(again.sock, 'POST', '/v1.41/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%7D')).status, 200, `${step}: prune`);
    } finally {
      await again.stop();
    }
    const store = ['images', 'layers', 'blobs/sha256'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((e) => `${d}/${e}`) : []));
    t.deepEqual(store, [], `${step}: rmi and prune left nothing in the store`);
    t.deepEqual(leftovers(root, []), [], step);
  });
}
