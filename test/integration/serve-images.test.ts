// `skiff serve`'s image, volume, network and system routes, with the
// docker CLI v28 as the client (DOCKER_HOST on the server's socket) and raw
// HTTP where a bad client is the point: pull and push through a registry
// that wants credentials (docker login -> POST /auth, X-Registry-Auth),
// images/tag/rmi/history/save/load/import/prune, volumes and networks with
// docker's status codes and texts, events with since/until and filters (the
// daemonless CLI's changes on the same root included), and clients that
// leave mid-pull or mid-events while the server keeps serving.
import test from 'ava';
import { execa } from 'execa';
import { connect } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_IMAGES } from '../helpers.js';
import { http, serveSuite, until } from '../serve.js';
import { buildTar } from '../tarfixture.js';

const suite = serveSuite('serve-img', { registry: { user: 'alice', password: 's3cret' } });
const fixture = JSON.parse(readFileSync(join(FIXTURE_IMAGES, 'busybox-image.json'), 'utf8')) as { id: string };

const docker = suite.docker;
const api = (method: string, path: string, body?: unknown) =>
  http(suite.served.sock, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), { 'Content-Type': 'application/json' });
const registryAuth = Buffer.from(JSON.stringify({ username: 'alice', password: 's3cret', serveraddress: '' })).toString('base64url');
const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;

test.serial('pull and push through a registry that wants credentials: docker login, X-Registry-Auth', async (t) => {
  const image = `${suite.registry.host}/library/busybox`;
  // The server has no credentials of its own: without the client's, the registry refuses.
  const denied = await docker(['pull', image]);
  t.not(denied.exitCode, 0);
  t.regex(denied.stderr, /Error response from daemon: pull access denied for .*library\/busybox/);
  const wrong = await docker(['login', '-u', 'alice', '--password-stdin', suite.registry.host], 'nope');
  t.not(wrong.exitCode, 0);
  t.regex(wrong.stderr, /login attempt to http:\/\/127\.0\.0\.1:\d+\/v2\/ failed with status: 401/);
  const login = await docker(['login', '-u', 'alice', '--password-stdin', suite.registry.host], 's3cret');
  t.is(login.exitCode, 0, login.stderr);
  t.regex(login.stdout, /Login Succeeded/);
  const pulled = await docker(['pull', image]);
  t.is(pulled.exitCode, 0, pulled.stderr);
  t.regex(pulled.stdout, /latest: Pulling from library\/busybox/);
  t.regex(pulled.stdout, /[a-f0-9]{12}: Pull complete/);
  t.regex(pulled.stdout, /Digest: sha256:[a-f0-9]{64}\nStatus: Downloaded newer image for 127\.0\.0\.1:\d+\/library\/busybox:latest/);
  t.is(JSON.parse((await docker(['image', 'inspect', image])).stdout)[0].Id, fixture.id);
  const again = await docker(['pull', image]);
  t.regex(again.stdout, /Status: Image is up to date for /);
  // A missing tag: the HTTP status (404) and docker's text, not a broken stream.
  const missing = await http(suite.served.sock, 'POST', `/v1.41/images/create?fromImage=${encodeURIComponent(image)}&tag=nope`, '', { 'X-Registry-Auth': registryAuth });
  t.is(missing.status, 404, missing.body);
  t.regex(json(missing).message as string, /manifest for .*busybox:nope not found/);
  // Push: a new name in the same registry, the digest line and the aux message SDKs read.
  t.is((await docker(['tag', image, `${suite.registry.host}/team/copy:v1`])).exitCode, 0);
  const pushed = await docker(['push', `${suite.registry.host}/team/copy:v1`]);
  t.is(pushed.exitCode, 0, pushed.stderr);
  t.regex(pushed.stdout, /The push refers to repository \[127\.0\.0\.1:\d+\/team\/copy\]/);
  t.regex(pushed.stdout, /v1: digest: sha256:[a-f0-9]{64} size: \d+/);
  t.is((await docker(['rmi', `${suite.registry.host}/team/copy:v1`, image])).exitCode, 0);
  t.is((await docker(['pull', `${suite.registry.host}/team/copy:v1`])).exitCode, 0, 'what was pushed pulls back');
  t.is((await docker(['rmi', `${suite.registry.host}/team/copy:v1`])).exitCode, 0);
  // Logged out, the client sends no credentials and the registry refuses again.
  t.is((await docker(['logout', suite.registry.host])).exitCode, 0);
  t.regex((await docker(['push', `${suite.registry.host}/team/copy:v1`])).stderr, /An image does not exist locally with the tag/);
  t.regex((await docker(['pull', `${suite.registry.host}/team/copy:v1`])).stderr, /pull access denied/);
});

test.serial('images: ls with filters, tag, inspect, history, rmi with docker\'s errors, save and load, import, prune', async (t) => {
  const ls = await docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  t.regex(ls.stdout, new RegExp(`^busybox:latest ${fixture.id.slice(7, 19)}$`, 'm'));
  t.is((await docker(['tag', 'busybox', 'mine/box:1'])).exitCode, 0);
  t.deepEqual(JSON.parse((await docker(['image', 'inspect', 'mine/box:1'])).stdout)[0].RepoTags.sort(), ['busybox:latest', 'mine/box:1']);
  t.regex((await docker(['history', 'mine/box:1'])).stdout, /skiff fixture: busybox-static rootfs/);
  t.is((await docker(['images', '-q', '--filter', 'reference=mine/*'])).stdout, fixture.id.slice(7, 19));
  const nope = await docker(['rmi', 'nope']);
  t.is(nope.stderr, 'Error response from daemon: No such image: nope:latest');
  t.is(json(await api('GET', '/images/nope/json')).message, 'No such image: nope:latest');
  t.is((await api('GET', '/images/nope/json')).status, 404);
  t.regex((await docker(['rmi', 'mine/box:1'])).stdout, /^Untagged: mine\/box:1$/);
  // An image a container uses: 409 and docker's conflict text.
  const c = await suite.engine(['create', '--network', 'none', 'busybox', 'true']);
  t.teardown(() => suite.engine(['rm', '-f', c.stdout]));
  const inUse = await api('DELETE', `/images/${fixture.id.slice(7, 19)}`);
  t.is(inUse.status, 409, inUse.body);
  t.regex(json(inUse).message as string, /^conflict: unable to delete [a-f0-9]{12} \(must be forced\) - image is being used by stopped container [a-f0-9]{12}$/);
  t.is((await suite.engine(['rm', c.stdout])).exitCode, 0);
  // save and load round trip.
  const tar = join(suite.sb.dir, 'saved.tar');
  const saved = await docker(['save', '-o', tar, 'busybox']);
  t.is(saved.exitCode, 0, saved.stderr);
  t.is((await docker(['rmi', 'busybox'])).exitCode, 0);
  t.is((await docker(['images', '-q'])).stdout, '');
  t.is((await docker(['load', '-i', tar])).stdout, 'Loaded image: busybox:latest');
  t.is(JSON.parse((await docker(['image', 'inspect', 'busybox'])).stdout)[0].Id, fixture.id);
  t.is((await api('GET', '/images/get?names=nope')).status, 404, 'a missing image is a 404, not a cut archive');
  // import from the body; an untagged import is dangling, and prune takes it.
  const rootfs = join(suite.sb.dir, 'rootfs.tar');
  writeFileSync(rootfs, buildTar([{ name: 'etc/', type: '5' }, { name: 'etc/motd', body: 'imported\n' }]));
  const imported = await docker(['import', rootfs]);
  t.regex(imported.stdout, /^sha256:[a-f0-9]{64}$/, imported.stderr);
  t.is((await docker(['images', '-q', '-f', 'dangling=true'])).stdout, imported.stdout.slice(7, 19));
  t.is((await docker(['images', '-q', '-f', 'dangling=false'])).stdout, fixture.id.slice(7, 19));
  t.is((await api('GET', '/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D')).status, 400);
  const pruned = await docker(['image', 'prune', '-f']);
  t.regex(pruned.stdout, new RegExp(`^deleted: ${imported.stdout}$`, "m"), "docker image prune's lines");
  t.is((await docker(['images', '-q', '-f', 'dangling=true'])).stdout, '');
});

test.serial('volumes and networks: docker\'s codes and texts; bad bodies are 400s, not crashes', async (t) => {
  t.is((await docker(['volume', 'create', '--label', 'team=a', 'data'])).stdout, 'data');
  t.is((await docker(['volume', 'ls', '-q', '-f', 'label=team=a'])).stdout, 'data');
  t.is((await docker(['volume', 'ls', '-q', '-f', 'label=team=b'])).stdout, '');
  t.is(JSON.parse((await docker(['volume', 'inspect', 'data'])).stdout)[0].Labels.team, 'a');
  t.is((await docker(['volume', 'inspect', 'nope'])).stderr, 'Error response from daemon: get nope: no such volume');
  const missing = await api('GET', '/volumes/nope');
  t.deepEqual([missing.status, json(missing).message], [404, 'get nope: no such volume']);
  // "../volumes/data" would read volumes/data/volume.json by a path outside the name's own directory.
  t.is((await api('GET', '/volumes/..%2Fvolumes%2Fdata')).status, 404, 'a name cannot reach outside its volume');
  t.is((await api('POST', '/volumes/create', '{"Name": ')).status, 400);
  t.is((await api('POST', '/volumes/create', { Name: 42 })).status, 400);
  t.is((await api('POST', '/volumes/create', { Name: 'a', Labels: { x: 1 } })).status, 400);
  t.is((await api('POST', '/volumes/create', [1, 2])).status, 400);
  t.is((await api('POST', '/volumes/create', { Name: 'bad/name' })).status, 400);
  t.is((await api('GET', '/volumes?filters=notjson')).status, 400);
  t.is((await api('GET', '/volumes?filters={"colour":["red"]}')).status, 400);
  // In use by a container (created by the daemonless CLI on the same root): 409.
  const c = await suite.engine(['create', '--network', 'none', '-v', 'data:/data', 'busybox', 'true']);
  t.teardown(() => suite.engine(['rm', '-f', c.stdout]));
  const busy = await api('DELETE', '/volumes/data');
  t.is(busy.status, 409);
  t.regex(json(busy).message as string, /^remove data: volume is in use - \[[a-f0-9]{64}\]$/);
  t.is((await suite.engine(['rm', c.stdout])).exitCode, 0);
  t.is((await docker(['volume', 'rm', 'data'])).stdout, 'data');
  t.is((await docker(['volume', 'create'])).exitCode, 0);
  t.regex((await docker(['volume', 'prune', '-f'])).stdout, /Deleted Volumes:\n[a-f0-9]{64}\n/);

  // Networks.
  const id = (await docker(['network', 'create', '--subnet', '10.231.7.0/24', '--label', 'team=a', 'servenet'])).stdout;
  t.teardown(() => suite.engine(['network', 'rm', 'servenet']));
  t.regex(id, /^[a-f0-9]{64}$/);
  const dup = await api('POST', '/networks/create', { Name: 'servenet' });
  t.deepEqual([dup.status, json(dup).message], [409, 'network with name servenet already exists']);
  t.is((await api('POST', '/networks/create', { Name: 'x', IPAM: { Config: 'no' } })).status, 400);
  t.is((await api('POST', '/networks/create', { Name: ['x'] })).status, 400);
  t.is((await api('POST', '/networks/create', {})).status, 400);
  const inspect = JSON.parse((await docker(['network', 'inspect', 'servenet'])).stdout)[0];
  t.deepEqual([inspect.Id, inspect.IPAM.Config[0].Subnet, inspect.Labels.team], [id, '10.231.7.0/24', 'a']);
  t.is((await docker(['network', 'ls', '-q', '-f', 'label=team=a', '--no-trunc'])).stdout, id);
  t.is((await docker(['network', 'inspect', 'nope'])).stderr, 'Error response from daemon: network nope not found');
  t.is((await api('GET', '/networks/nope')).status, 404);
  // connect and disconnect a created container; a network with a container cannot go.
  const d = await suite.engine(['create', '--name', 'servenet-c', 'busybox', 'true']);
  t.teardown(() => suite.engine(['rm', '-f', d.stdout]));
  t.is((await docker(['network', 'connect', 'servenet', 'servenet-c'])).exitCode, 0);
  t.is((await api('POST', '/networks/servenet/connect', { Container: 'servenet-c' })).status, 409);
  t.is((await api('POST', '/networks/servenet/connect', { Container: 'nope' })).status, 404);
  t.is((await api('POST', '/networks/servenet/connect', { Container: 7 })).status, 400);
  const busyNet = await api('DELETE', '/networks/servenet');
  t.is(busyNet.status, 409);
  t.regex(json(busyNet).message as string, /has active endpoints \(servenet-c\)/);
  t.is((await docker(['network', 'disconnect', 'servenet', 'servenet-c'])).exitCode, 0);
  t.is((await suite.engine(['rm', 'servenet-c'])).exitCode, 0);
  t.regex((await docker(['network', 'prune', '-f'])).stdout, /Deleted Networks:\nservenet\n/);
  t.is((await api('GET', '/networks/servenet')).status, 404);
});

test.serial('info, system df, and events: since/until, filters, a live stream that sees the CLI\'s changes', async (t) => {
  t.regex((await docker(['info', '--format', '{{.DockerRootDir}} {{.Images}}'])).stdout, new RegExp(`^${suite.engine.root} 1$`));
  t.regex((await docker(['system', 'df'])).stdout, /^Images\s+1\s+0\s/m);
  const start = Math.floor(Date.now() / 1000) - 1;
  // A live stream (no until), filtered to volumes; the CLI on the same root makes one.
  // Whole lines only: a chunk of the CLI's output may end in the middle of one.
  // --since this second: the stream replays what came before it connected,
  // so the CLI may go on at once (no wait for the connection); what an
  // earlier test did in the same second is told apart by the volume's name.
  let text = '';
  const live = execa('docker', ['events', '--since', String(Math.floor(Date.now() / 1000)), '--filter', 'type=volume', '--format', '{{.Type}} {{.Action}} {{.Actor.ID}}'], { env: suite.served.env, reject: false });
  live.stdout?.on('data', (c: Buffer) => { text += c.toString(); });
  const lines = () => text.split('\n').slice(0, -1);
  const seen = () => lines().filter((l) => l.endsWith(' evvol'));
  t.is((await suite.engine(['volume', 'create', 'evvol'])).exitCode, 0);
  t.is((await docker(['tag', 'busybox', 'ev:1'])).exitCode, 0);
  t.is((await docker(['volume', 'rm', 'evvol'])).exitCode, 0);
  for (let i = 0; i < 50 && seen().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  live.kill('SIGTERM');
  await live;
  t.deepEqual(seen(), ['volume create evvol', 'volume destroy evvol'], 'both processes\' events');
  t.true(lines().every((l) => l.startsWith('volume ')), `nothing of another type: ${text}`);
  // The past, by since/until: the stream ends by itself.
  const past = await docker(['events', '--since', String(start), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'event=tag', '--filter', 'image=ev:1', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  t.is(past.stdout, 'tag ev:1');
  t.is((await api('GET', '/events?until=now')).status, 400);
  t.is((await api('GET', '/events?filters={"colour":["red"]}&until=1')).status, 400);
  t.is((await docker(['rmi', 'ev:1'])).exitCode, 0);
});

test.serial('clients that leave mid-pull and mid-events, and 50 requests at once: the server keeps serving', async (t) => {
  // A pull whose client reads the first bytes and goes.
  await new Promise<void>((resolve) => {
    const s = connect(suite.served.sock, () => s.write(`POST /images/create?fromImage=${suite.registry.host}/library/busybox&tag=v2s2 HTTP/1.1\r\nHost: x\r\nX-Registry-Auth: ${registryAuth}\r\nContent-Length: 0\r\n\r\n`));
    s.once('data', () => { s.destroy(); resolve(); });
    s.on('error', () => resolve());
  });
  // An events stream that goes after its headers, and one that never reads.
  await new Promise<void>((resolve) => {
    const s = connect(suite.served.sock, () => s.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.once('data', () => { s.destroy(); resolve(); });
  });
  const idle = connect(suite.served.sock, () => idle.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n'));
  idle.pause();
  t.teardown(() => idle.destroy());
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => api('GET', i % 2 ? '/images/json' : '/volumes')));
  t.true(answers.every((a) => a.status === 200));
  t.is((await api('GET', '/_ping')).body, 'OK');
  // The pull its client left is cancelled, as by dockerd (serve-badclients.test.ts shows it against
  // a registry that stalls); this fast one may have ended first. Either way nothing is left half done.
  await until('the pull to settle', () => readdirSync(join(suite.engine.root, 'tmp')).length === 0);
  const pulled = await api('GET', `/images/${suite.registry.host}/library/busybox:v2s2/json`);
  t.true([200, 404].includes(pulled.status), pulled.body);
  if (pulled.status === 200) t.is((await docker(['rmi', `${suite.registry.host}/library/busybox:v2s2`])).exitCode, 0);
  t.notRegex(suite.served.log(), /MaxListenersExceeded|TypeError|ERR_STREAM/);
});
