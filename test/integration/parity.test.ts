// Docker parity for what a user following the seed notes meets (issue 13):
// an image's VOLUME, HOME, the --link environment, an interrupted run or
// pull, a full disk, bind addresses, and the smaller differences. Real
// containers, a real local registry.
import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE, Sandbox, type EngineCli } from '../helpers.js';
import { startRegistry, type Registry } from '../registry.js';

const sb = new Sandbox('par');
let registry: Registry | undefined;
test.after.always('nothing left behind', async (t) => {
  await registry?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

const ok = (t: { is: (a: unknown, b: unknown, m?: string) => void }, r: { exitCode: number; stderr: string }) => t.is(r.exitCode, 0, r.stderr);
const volumeNames = async (skiff: EngineCli) => (await skiff(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).sort();

/** An image `name` with /data/seed in it and `VOLUME /data`, made by commit --change. */
async function volumeImage(skiff: EngineCli, name: string): Promise<void> {
  const base = `${name}-base`;
  const made = await skiff(['run', '--name', base, 'busybox', 'sh', '-c', 'mkdir -p /data && echo seeded > /data/seed']);
  if (made.exitCode !== 0) throw new Error(made.stderr);
  const committed = await skiff(['commit', '--change', 'VOLUME /data', base, name]);
  if (committed.exitCode !== 0) throw new Error(committed.stderr);
  await skiff(['rm', base]);
}

test('an image VOLUME: commit and import --change set it, inspect shows it, create makes an anonymous volume filled from the image', async (t) => {
  const skiff = await sb.engine();
  await volumeImage(skiff, 'volimg');
  t.is((await skiff(['image', 'inspect', '-f', '{{json .Config.Volumes}}', 'volimg'])).stdout, '{"/data":{}}');
  // import --change, with the JSON form too.
  const tar = join(sb.dir, 'rootfs.tar');
  ok(t, await skiff(['export', '-o', tar, (await skiff(['create', 'busybox', 'true'])).stdout]));
  ok(t, await skiff(['import', '--change', 'VOLUME ["/a", "/b"]', '--change', 'VOLUME /c', tar, 'imported']));
  t.is((await skiff(['image', 'inspect', '-f', '{{json .Config.Volumes}}', 'imported'])).stdout, '{"/a":{},"/b":{},"/c":{}}');

  const before = await volumeNames(skiff);
  const r = await skiff(['run', '--name', 'db', 'volimg', 'sh', '-c', 'cat /data/seed && echo written > /data/new']);
  ok(t, r);
  t.is(r.stdout, 'seeded', 'the anonymous volume is filled from the image');
  const [info] = JSON.parse((await skiff(['inspect', 'db'])).stdout);
  t.deepEqual(info.Config.Volumes, { '/data': {} });
  t.is(info.Mounts.length, 1);
  t.like(info.Mounts[0], { Type: 'volume', Destination: '/data', Driver: 'local', RW: true });
  const after = await volumeNames(skiff);
  t.deepEqual(after.filter((v) => !before.includes(v)), [info.Mounts[0].Name]);
  // --volumes-from carries it: the data written in db is there.
  t.is((await skiff(['run', '--rm', '--volumes-from', 'db', 'busybox', 'cat', '/data/new', '/data/seed'])).stdout, 'written\nseeded');
  // rm keeps it, rm -v removes it.
  ok(t, await skiff(['rm', 'db']));
  t.true((await volumeNames(skiff)).includes(info.Mounts[0].Name), 'rm without -v keeps the volume');
  ok(t, await skiff(['volume', 'rm', info.Mounts[0].Name]));
  ok(t, await skiff(['run', '--name', 'db2', 'volimg', 'true']));
  ok(t, await skiff(['rm', '-v', 'db2']));
  t.deepEqual(await volumeNames(skiff), before, 'rm -v removes the image volume');
  // --rm removes it too.
  ok(t, await skiff(['run', '--rm', 'volimg', 'true']));
  t.deepEqual(await volumeNames(skiff), before, '--rm removes the image volume');
  // -v and --mount on the same path win: no anonymous volume.
  const host = join(sb.dir, 'host-data');
  mkdirSync(host);
  writeFileSync(join(host, 'mine'), 'host\n');
  t.is((await skiff(['run', '--rm', '-v', `${host}:/data`, 'volimg', 'ls', '/data'])).stdout, 'mine');
  t.is((await skiff(['run', '--rm', '--mount', 'type=volume,source=named,target=/data', 'volimg', 'cat', '/data/seed'])).stdout, 'seeded');
  t.deepEqual(await volumeNames(skiff), [...before, 'named'].sort());
  ok(t, await skiff(['volume', 'rm', 'named']));
  await skiff(['rmi', 'volimg', 'imported']);
});

test('an image VOLUME survives save, load, a push and a pull', async (t) => {
  const skiff = await sb.engine();
  await volumeImage(skiff, 'volsave');
  const archive = join(sb.dir, 'volsave.tar');
  ok(t, await skiff(['save', '-o', archive, 'volsave']));
  const loaded = await sb.engine();
  ok(t, await loaded(['load', '-q', '-i', archive]));
  t.is((await loaded(['image', 'inspect', '-f', '{{json .Config.Volumes}}', 'volsave'])).stdout, '{"/data":{}}');
  mkdirSync(join(sb.dir, 'registry'));
  registry = await startRegistry(join(sb.dir, 'registry'));
  await execa('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${registry.host}/vol/volsave:1`]);
  const pulled = await sb.engine();
  ok(t, await pulled(['pull', `${registry.host}/vol/volsave:1`]));
  const r = await pulled(['run', '--name', 'p', `${registry.host}/vol/volsave:1`, 'cat', '/data/seed']);
  ok(t, r);
  t.is(r.stdout, 'seeded');
  t.is((await pulled(['inspect', '-f', '{{json .Config.Volumes}}', 'p'])).stdout, '{"/data":{}}');
  ok(t, await pulled(['rm', '-v', 'p']));
  t.deepEqual(await volumeNames(pulled), []);
});

test('HOME comes from the user\'s passwd entry in run and exec, unless -e HOME is given', async (t) => {
  const skiff = await sb.engine();
  t.is((await skiff(['run', '--rm', 'busybox', 'sh', '-c', 'echo $HOME'])).stdout, '/root');
  t.is((await skiff(['run', '--rm', '-u', 'nobody', 'busybox', 'sh', '-c', 'echo $HOME'])).stdout, '/home');
  t.is((await skiff(['run', '--rm', '-u', '4242', 'busybox', 'sh', '-c', 'echo $HOME'])).stdout, '/');
  t.is((await skiff(['run', '--rm', '-e', 'HOME=/elsewhere', 'busybox', 'sh', '-c', 'echo $HOME'])).stdout, '/elsewhere');
  ok(t, await skiff(['run', '-d', '--name', 'h', 'busybox', 'sleep', '60']));
  t.is((await skiff(['exec', 'h', 'sh', '-c', 'echo $HOME'])).stdout, '/root');
  t.is((await skiff(['exec', '-u', 'nobody', 'h', 'sh', '-c', 'echo $HOME'])).stdout, '/home');
  t.is((await skiff(['exec', '-e', 'HOME=/x', 'h', 'sh', '-c', 'echo $HOME'])).stdout, '/x');
  ok(t, await skiff(['rm', '-f', 'h']));
});

/** What one engine root still holds: runtime state, endpoints, mounts. */
function rootLeftovers(root: string): string[] {
  const found = readdirSync(join(root, 'runtime')).map((e) => `runtime state ${e}`);
  for (const f of readdirSync(join(root, 'networks')).filter((x) => x.endsWith('.json'))) {
    const n = JSON.parse(readFileSync(join(root, 'networks', f), 'utf8')) as { Name: string; Endpoints: object };
    for (const id of Object.keys(n.Endpoints)) found.push(`endpoint of ${id.slice(0, 12)} on ${n.Name}`);
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(root)) found.push(`mount ${line}`);
  return found;
}

/** A TCP port nobody listens on now. */
async function freeHostPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '0.0.0.0', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

test('a run SIGKILLed at any step of its start leaves a container the next start runs and rm removes', async (t) => {
  const skiff = await sb.engine();
  const steps = ['launch:network-planned', 'launch:prepared', 'launch:created', 'launch:network-plugged', 'launch:started'];
  for (const [i, step] of steps.entries()) {
    const port = await freeHostPort();
    const killed = await sb.run(['run', '-d', '--name', `k${i}`, '-p', `${port}:80`, '-v', '/data', 'busybox', 'sleep', '60'],
      { wrap: ['env', `SKIFF_FAULT=${step}`], command: [ENGINE, '--root', skiff.root] });
    t.not(killed.exitCode, 0, `${step}: the fault point killed the run`);
    const started = await skiff(['start', `k${i}`]);
    t.is(started.exitCode, 0, `${step}: ${started.stderr}`);
    t.is((await skiff(['inspect', '-f', '{{.State.Status}}', `k${i}`])).stdout, 'running', step);
    t.is((await skiff(['port', `k${i}`, '80'])).stdout, `0.0.0.0:${port}`, step);
    ok(t, await skiff(['rm', '-f', '-v', `k${i}`]));
  }
  // And one killed before its start is removed by rm alone, nothing left.
  const killed = await sb.run(['run', '-d', '--name', 'k-rm', '-p', `${await freeHostPort()}:80`, 'busybox', 'sleep', '60'],
    { wrap: ['env', 'SKIFF_FAULT=launch:network-plugged'], command: [ENGINE, '--root', skiff.root] });
  t.not(killed.exitCode, 0);
  ok(t, await skiff(['rm', 'k-rm']));
  t.deepEqual(rootLeftovers(skiff.root), []);
  t.deepEqual(await volumeNames(skiff), []);
});

test('-p: an address not on the host cannot be assigned; 0 picks a random port; /sctp is accepted', async (t) => {
  const skiff = await sb.engine();
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a host's address. The bind fails; nothing is sent.
  const r = await skiff(['run', '-d', '--name', 'na', '-p', '192.0.2.100:7777:80', 'busybox', 'sleep', '60']);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /Bind for 192\.0\.2\.100:7777 failed: cannot assign requested address/);
  t.notRegex(r.stderr, /already in use/);
  ok(t, await skiff(['rm', 'na']));
  ok(t, await skiff(['run', '-d', '--name', 'zero', '-p', '0:80', '-p', '5000:80/sctp', 'busybox', 'sleep', '60']));
  const [info] = JSON.parse((await skiff(['inspect', 'zero'])).stdout);
  const tcp = info.NetworkSettings.Ports['80/tcp'][0];
  t.true(Number(tcp.HostPort) > 0, JSON.stringify(tcp));
  t.deepEqual(info.NetworkSettings.Ports['80/sctp'], [{ HostIp: '0.0.0.0', HostPort: '5000' }]);
  t.regex((await skiff(['ps', '--format', '{{.Ports}}'])).stdout, new RegExp(`0\\.0\\.0\\.0:${tcp.HostPort}->80/tcp`));
  ok(t, await skiff(['rm', '-f', 'zero']));
});
