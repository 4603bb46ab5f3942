// The hostile-input corpus, part three (issue 17, part 4's last clause):
// hostile requests to a real `skiff serve`. Part one is unpack.test.ts (8
// layer cases), part two hostile.test.ts (22: layers, bundles, image
// configs), with hostile-registry.test.ts for pulls; the 31 tests here bring
// the corpus to 61 cases, each a test, over the 40 the issue asks:
//
//  archives   PUT with "../" names, absolute names, a symlink then a file
//             through it, a hard link to a host file, a device node, a
//             path= through a container symlink; GET with path=../../etc
//             and a path to a host file; garbage as a tar
//  bodies     over the 4 MiB limit (with a length, chunked, 64 MiB with
//             the server's memory watched), malformed JSON, JSON nested a
//             million deep, a JSON string, invalid UTF-8
//  fields     "Memory": "lots", HostConfig a string, Cmd a number, Env
//             with numbers, Labels with numbers, Mounts of strings
//  names      container names with "/" and "..", rename to "../x", ids
//             with %2F..; image references with "..", a tag to "../x";
//             volume and network names with ".."
//
// Each is refused with docker's status and one sentence ({"message"}) or
// contained; nothing is written outside the engine root and the
// container's rootfs; the server answers /_ping after each one.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Sandbox, type EngineCli } from '../helpers.js';
import { http, startServe, type Reply, type Served } from '../serve.js';
import { buildTar, type FixtureEntry } from '../tarfixture.js';

const sb = new Sandbox('srvhostile');
let skiff: EngineCli;
let served: Served;
let ctr: string;

// A host directory no request may touch; each case checks it is as it was.
const outside = join(sb.dir, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'secret'), 'host secret');

test.before(async () => {
  skiff = await sb.engine();
  served = await startServe(sb, skiff.root);
  const r = await http(served.sock, 'POST', '/v1.41/containers/create?name=target', JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }), { 'Content-Type': 'application/json' });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
  ctr = (JSON.parse(r.body) as { Id: string }).Id;
});

test.after.always('the server stops; nothing left behind', async (t) => {
  await served?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

const api = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
  http(served.sock, method, `/v1.41${path}`, body, body !== undefined && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json', ...headers } : headers);

/** Refused with `status` and one sentence in docker's {"message"} body. */
function refused(t: ExecutionContext, r: Reply, status: number, message: RegExp): void {
  t.is(r.status, status, r.body);
  const m = (JSON.parse(r.body) as { message: string }).message;
  t.regex(m, message);
  t.false(m.includes('\n'), 'one sentence');
}

/** The host directory is as it was, and the server still answers. */
async function contained(t: ExecutionContext): Promise<void> {
  t.deepEqual(readdirSync(outside), ['secret'], 'nothing added or removed outside');
  t.is(readFileSync(join(outside, 'secret'), 'utf8'), 'host secret');
  t.is((await http(served.sock, 'GET', '/_ping')).status, 200, 'the server still answers');
}

/** The container's file at `path`, read through the API (GET archive, the tar's first member's body). */
async function readInContainer(path: string): Promise<string | undefined> {
  const r = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = request({ socketPath: served.sock, method: 'GET', path: `/v1.41/containers/${ctr}/archive?path=${encodeURIComponent(path)}` }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
  if (r.status !== 200) return undefined;
  const size = parseInt(r.body.subarray(124, 136).toString().replace(/\0.*$/s, '').trim(), 8);
  return r.body.subarray(512, 512 + size).toString();
}

const putArchive = (entries: FixtureEntry[] | Buffer, path = '/tmp') =>
  api('PUT', `/containers/${ctr}/archive?path=${encodeURIComponent(path)}`, Buffer.isBuffer(entries) ? entries : buildTar(entries), { 'Content-Type': 'application/x-tar' });

// --- archives: PUT -----------------------------------------------------------

test.serial('archive PUT: a "../" name is refused, nothing written outside', async (t) => {
  const r = await putArchive([{ name: `../../../../../../../..${outside}/planted`, body: 'escaped' }, { name: 'ok', body: 'fine' }]);
  refused(t, r, 400, /^archive entry "\.\.\/.*planted": path contains '\.\.'$/);
  t.is(await readInContainer('/tmp/ok'), undefined, 'nothing of a refused archive is copied in');
  await contained(t);
});

test.serial('archive PUT: an absolute name lands under the destination, inside the container', async (t) => {
  const r = await putArchive([{ name: `${outside}/planted`, body: 'inside' }]);
  t.is(r.status, 200, r.body);
  t.is(await readInContainer(`/tmp${outside}/planted`), 'inside');
  await contained(t);
});

test.serial('archive PUT: a symlink out, then a file through it, is refused', async (t) => {
  const r = await putArchive([{ name: 'out', type: '2', linkname: outside }, { name: 'out/planted', body: 'escaped' }]);
  refused(t, r, 400, /^archive entry "out\/planted": cannot extract through symbolic link$/);
  await contained(t);
});

test.serial('archive PUT: a relative symlink up and out of the destination is refused (moby: a breakout)', async (t) => {
  const r = await putArchive([{ name: 'up', type: '2', linkname: '../../../../../../../..' }, { name: `up${outside}/planted`, body: 'escaped' }]);
  refused(t, r, 400, /^archive entry "up": linkpath escapes extraction directory$/);
  await contained(t);
});

test.serial('archive PUT: a symlink copied in to a host directory is no way out for a second archive', async (t) => {
  t.is((await putArchive([{ name: 'hostdir', type: '2', linkname: outside }], '/')).status, 200);
  // As the destination: a symlink is not the directory docker extracts into.
  refused(t, await putArchive([{ name: 'planted', body: 'escaped' }], '/hostdir'), 400, /^extraction point is not a directory: \/hostdir$/);
  // As a parent: resolved in the container's root, where that directory does not exist.
  refused(t, await putArchive([{ name: 'planted', body: 'escaped' }], '/hostdir/sub'), 404, /^Could not find the file \/hostdir\/sub in container /);
  await contained(t);
});

test.serial('archive PUT: path=../../.. stays in the container', async (t) => {
  const r = await putArchive([{ name: 'dotdot-planted', body: 'inside' }], `../../../../../../..${sb.dir}`);
  // The container has no such directory: 404, as docker's "Could not find the file".
  refused(t, r, 404, /^Could not find the file /);
  t.false(existsSync(join(sb.dir, 'dotdot-planted')));
  t.is((await putArchive([{ name: 'dotdot-planted', body: 'inside' }], '../../../../tmp')).status, 200);
  t.is(await readInContainer('/tmp/dotdot-planted'), 'inside');
  await contained(t);
});

test.serial('archive PUT: a hard link to a host file is refused', async (t) => {
  const r = await putArchive([{ name: 'hl', type: '1', linkname: join(outside, 'secret') }]);
  refused(t, r, 400, /^archive entry "hl": ENOENT: no such file or directory, link '.*outside\/secret' -> 'hl'$/);
  await contained(t);
});

test.serial('archive PUT: a device node is refused with one sentence', async (t) => {
  const r = await putArchive([{ name: 'null', type: '3', devmajor: 1, devminor: 3, mode: 0o666 }]);
  refused(t, r, 400, /^archive entry "null": /);
  await contained(t);
});

test.serial('archive PUT: a body that is not a tar is refused', async (t) => {
  const r = await putArchive(Buffer.from('this is not a tar archive, it is a sentence'.repeat(40)));
  refused(t, r, 400, /^invalid archive: checksum failure$/);
  await contained(t);
});

// --- archives: GET -----------------------------------------------------------

test.serial('archive GET: path=../../etc/hostname is the container\'s file, not the host\'s', async (t) => {
  t.is((await putArchive([{ name: 'marker', body: 'container etc' }], '/etc')).status, 200);
  t.is(await readInContainer('../../../../etc/marker'), 'container etc');
  await contained(t);
});

test.serial('archive GET: a host file by ../ is not found in the container', async (t) => {
  const r = await api('GET', `/containers/${ctr}/archive?path=${encodeURIComponent(`../../../../../..${outside}/secret`)}`);
  refused(t, r, 404, /^Could not find the file .* in container /);
  const head = await api('HEAD', `/containers/${ctr}/archive?path=${encodeURIComponent(`../../../../../..${outside}/secret`)}`);
  t.is(head.status, 404);
  await contained(t);
});

test.serial('archive GET: through a container symlink to a host directory, the container\'s path is read', async (t) => {
  t.is((await putArchive([{ name: 'tohost', type: '2', linkname: outside }], '/')).status, 200);
  t.is(await api('HEAD', `/containers/${ctr}/archive?path=/tohost`).then((r) => JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat']), 'base64').toString()).linkTarget), outside, 'an absolute target is kept as written (docker cp keeps it)');
  const r = await api('GET', `/containers/${ctr}/archive?path=/tohost/secret`);
  refused(t, r, 404, /^Could not find the file \/tohost\/secret in container /);
  await contained(t);
});

// --- bodies --------------------------------------------------------------------

/** The server's resident memory (kB). */
function serverRss(): number {
  const status = readFileSync(`/proc/${served.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

test.serial('body: over the 4 MiB limit with a length is 413', async (t) => {
  const r = await api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Env: ['X=' + 'x'.repeat(5 * 1024 * 1024)] }));
  refused(t, r, 413, /^request body is larger than 4194304 bytes$/);
  await contained(t);
});

test.serial('body: 64 MiB chunked, without a length, is 413 and the server\'s memory stays bounded', async (t) => {
  const before = serverRss();
  const r = await new Promise<Reply>((resolve, reject) => {
    const req = request({ socketPath: served.sock, method: 'POST', path: '/v1.41/containers/create', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < 64) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
  refused(t, r, 413, /^request body is larger than/);
  // The body is read and dropped, not held: well under the 64 MiB sent.
  t.true(serverRss() - before < 32 * 1024, `the server grew by ${serverRss() - before} kB`);
  await contained(t);
});

test.serial('body: truncated JSON is 400', async (t) => {
  refused(t, await api('POST', '/containers/create', '{"Image": "busybox", "Cmd": ['), 400, /^invalid JSON in request body: /);
  await contained(t);
});

test.serial('body: JSON nested a million deep is 400, the server does not overflow its stack', async (t) => {
  const r = await api('POST', '/containers/create', '['.repeat(1_000_000) + ']'.repeat(1_000_000));
  t.is(r.status, 400, r.body);
  await contained(t);
});

test.serial('body: a JSON string where an object belongs is 400', async (t) => {
  refused(t, await api('POST', '/containers/create', '"busybox"'), 400, /^json: cannot unmarshal string into Go value of type ContainerConfig$/);
  refused(t, await api('POST', '/networks/create', 'null'), 400, /./);
  refused(t, await api('POST', '/volumes/create', '[]'), 400, /./);
  await contained(t);
});

test.serial('body: invalid UTF-8 in a name field does not make a container', async (t) => {
  const body = Buffer.concat([Buffer.from('{"Image": "busybox", "Cmd": ["true"], "Labels": {"a": "'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}}')]);
  const r = await http(served.sock, 'POST', '/v1.41/containers/create?name=utf8', body, { 'Content-Type': 'application/json' });
  // Decoded as U+FFFD (Go's decoder does the same): made, with the replacement characters, or refused.
  t.true(r.status === 201 || r.status === 400, r.body);
  if (r.status === 201) t.is((await api('DELETE', '/containers/utf8')).status, 204);
  await contained(t);
});

// --- fields ---------------------------------------------------------------------

const wrongTyped: [string, object, RegExp][] = [
  ['"Memory": "lots"', { HostConfig: { Memory: 'lots' } }, /^json: cannot unmarshal string into Go struct field HostConfig\.Memory of type int64$/],
  ['HostConfig a string', { HostConfig: 'privileged' }, /^json: cannot unmarshal string into Go struct field ContainerConfig\.HostConfig of type struct$/],
  ['Cmd a number', { Cmd: 42 }, /^json: cannot unmarshal number into Go struct field ContainerConfig\.Cmd of type strslice\.StrSlice$/],
  ['Env with numbers', { Env: [1, 2] }, /^json: cannot unmarshal array into Go struct field ContainerConfig\.Env of type \[\]string$/],
  ['Labels with numbers', { Labels: { a: 1 } }, /^json: cannot unmarshal object into Go struct field ContainerConfig\.Labels of type map\[string\]string$/],
  ['Mounts of strings', { HostConfig: { Mounts: ['/etc:/host-etc'] } }, /^json: cannot unmarshal array into Go struct field HostConfig\.Mounts of type \[\]struct$/],
];
for (const [what, fields, message] of wrongTyped) {
  test.serial(`field: ${what} is 400 before anything is made`, async (t) => {
    const before = (await api('GET', '/containers/json?all=1')).body;
    refused(t, await api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['true'], ...fields })), 400, message);
    t.is((await api('GET', '/containers/json?all=1')).body, before, 'no container made');
    await contained(t);
  });
}

// --- names and references -----------------------------------------------------

test.serial('name: a container name with "/" or ".." is 400', async (t) => {
  for (const name of ['../../etc', 'a/b', '..', `..${outside}`]) {
    refused(t, await api('POST', `/containers/create?name=${encodeURIComponent(name)}`, JSON.stringify({ Image: 'busybox' })), 400, /^Invalid container name \(.*\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed$/);
  }
  await contained(t);
});

test.serial('name: rename to "../x" is 400 and the name stays', async (t) => {
  refused(t, await api('POST', `/containers/${ctr}/rename?name=${encodeURIComponent('../x')}`), 400, /^Invalid container name \(\.\.\/x\)/);
  t.is((JSON.parse((await api('GET', '/containers/target/json')).body) as { Name: string }).Name, '/target');
  await contained(t);
});

test.serial('name: an id of "..%2F.." finds no container and removes nothing', async (t) => {
  refused(t, await api('GET', '/containers/..%2F..%2Fcontainers/json'), 404, /^No such container: /);
  refused(t, await api('DELETE', `/containers/..%2F${ctr}?force=1`), 404, /^No such container: /);
  t.is((await api('GET', `/containers/${ctr}/json`)).status, 200, 'the container is still there');
  await contained(t);
});

test.serial('image: a reference with ".." is refused as an invalid reference', async (t) => {
  refused(t, await api('POST', `/images/create?fromImage=${encodeURIComponent('../../etc')}&tag=latest`), 400, /invalid reference format/);
  refused(t, await api('POST', '/containers/create', JSON.stringify({ Image: '../../../etc/passwd' })), 400, /invalid reference format/);
  await contained(t);
});

test.serial('image: inspect, history, save and remove with "../" in the name find nothing', async (t) => {
  const name = encodeURIComponent(`../../../..${outside}/secret`);
  for (const [method, path] of [['GET', `/images/${name}/json`], ['GET', `/images/${name}/history`], ['GET', `/images/${name}/get`], ['DELETE', `/images/${name}`]]) {
    const r = await api(method, path);
    t.true(r.status === 404 || r.status === 400, `${method} ${path}: ${r.status} ${r.body}`);
    t.false(r.body.includes('host secret'));
  }
  await contained(t);
});

test.serial('image: a tag to "../x" is 400 and no such name is made', async (t) => {
  refused(t, await api('POST', `/images/busybox/tag?repo=${encodeURIComponent('../../x')}&tag=latest`), 400, /invalid reference format/);
  t.false((await api('GET', '/images/json')).body.includes('../'));
  await contained(t);
});

test.serial('volume and network: names with ".." are 400 and nothing is made outside the root', async (t) => {
  refused(t, await api('POST', '/volumes/create', JSON.stringify({ Name: `../../../../..${outside}/vol` })), 400, /^create .*: "\S+" includes invalid characters for a local volume name/);
  refused(t, await api('POST', '/networks/create', JSON.stringify({ Name: `../../..${outside}/net` })), 400, /./);
  refused(t, await api('DELETE', `/volumes/${encodeURIComponent('../../..')}`), 404, /./);
  await contained(t);
});
