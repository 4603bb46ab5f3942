// Docker parity for what a user following the seed notes meets (issue 13):
// an image's VOLUME, HOME, the --link environment, an interrupted run or
// pull, a full disk, bind addresses, and the smaller differences. Real
// containers, a real local registry.
import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, type EngineCli } from '../helpers.js';
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
