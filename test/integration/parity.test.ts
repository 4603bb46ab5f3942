// Docker parity for what a user following the seed notes meets (issue 13):
// an image's VOLUME, HOME, the --link environment, an interrupted run or
// pull, a full disk, bind addresses, and the smaller differences. Real
// containers, a real local registry.
import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE, FIXTURE_IMAGES, Sandbox, type EngineCli } from '../helpers.js';
import { startRegistry, type Registry } from '../registry.js';

const sb = new Sandbox('par');
let registry: Registry | undefined;
let registryUp: Promise<Registry> | undefined;
/** One local registry for the file, started by the first test that needs it. */
function localRegistry(): Promise<Registry> {
  registryUp ??= (async () => {
    mkdirSync(join(sb.dir, 'registry'));
    registry = await startRegistry(join(sb.dir, 'registry'));
    return registry;
  })();
  return registryUp;
}
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
  const registry = await localRegistry();
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

test('--link sets docker\'s environment: ALIAS_PORT..., ALIAS_NAME, ALIAS_ENV_* (not HOME or PATH)', async (t) => {
  const skiff = await sb.engine();
  ok(t, await skiff(['run', '-d', '--name', 'db', '-e', 'MYSQL_ROOT_PASSWORD=pw', '-e', 'HOME=/var/lib/mysql', '--expose', '3306', '--expose', '53/udp', 'busybox', 'sleep', '60']));
  const ip = (await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'db'])).stdout;
  const r = await skiff(['run', '--rm', '--name', 'web', '--link', 'db:my-db', 'busybox', 'env']);
  ok(t, r);
  const env = r.stdout.split('\n').filter((l) => l.startsWith('MY_DB_')).sort();
  t.deepEqual(env, [
    'MY_DB_ENV_MYSQL_ROOT_PASSWORD=pw',
    'MY_DB_NAME=/web/my-db',
    `MY_DB_PORT=tcp://${ip}:3306`,
    `MY_DB_PORT_3306_TCP=tcp://${ip}:3306`,
    `MY_DB_PORT_3306_TCP_ADDR=${ip}`,
    'MY_DB_PORT_3306_TCP_PORT=3306',
    'MY_DB_PORT_3306_TCP_PROTO=tcp',
    `MY_DB_PORT_53_UDP=udp://${ip}:53`,
    `MY_DB_PORT_53_UDP_ADDR=${ip}`,
    'MY_DB_PORT_53_UDP_PORT=53',
    'MY_DB_PORT_53_UDP_PROTO=udp',
  ]);
  // The container's own -e wins over a link variable of the same name.
  t.is((await skiff(['run', '--rm', '--link', 'db', '-e', 'DB_PORT=mine', 'busybox', 'sh', '-c', 'echo $DB_PORT']).then((x) => x.stdout)), 'mine');
  ok(t, await skiff(['rm', '-f', 'db']));
});

test('an interrupted pull\'s temp files and layer locks are swept by the next pull; a live pull\'s are not; run\'s pull prints Digest and Status', async (t) => {
  const skiff = await sb.engine();
  const registry = await localRegistry();
  await execa('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci-archive:${join(FIXTURE_IMAGES, 'busybox-oci.tar')}`, `docker://${registry.host}/team/bb:1`]);
  // What a pull killed by Ctrl-C left (its pid is gone), and a live pull's file (this test's own pid).
  const dead = 2 ** 22 + 1; // above pid_max's default: no such process
  const tmp = join(skiff.root, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, `blob-${dead}-aaaa`), 'partial');
  mkdirSync(join(tmp, `layer-${dead}-bbbb`, 'diff'), { recursive: true });
  writeFileSync(join(tmp, `blob-${process.pid}-cccc`), 'live');
  mkdirSync(join(skiff.root, 'pending'), { recursive: true });
  writeFileSync(join(skiff.root, 'pending', 'layer-0123.lock'), '');
  const r = await skiff(['run', '--rm', `${registry.host}/team/bb:1`, 'true']);
  ok(t, r);
  t.regex(r.stderr, /1: Pulling from team\/bb\n/);
  t.regex(r.stderr, /\nDigest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for 127\.0\.0\.1:\d+\/team\/bb:1(\n|$)/);
  t.deepEqual(readdirSync(tmp), [`blob-${process.pid}-cccc`]);
  t.deepEqual(readdirSync(join(skiff.root, 'pending')), []);
  // image prune sweeps them too.
  writeFileSync(join(tmp, `blob-${dead}-dddd`), 'partial');
  ok(t, await skiff(['image', 'prune', '-f']));
  t.deepEqual(readdirSync(tmp), [`blob-${process.pid}-cccc`]);
  // A removed network leaves no DNS log.
  ok(t, await skiff(['network', 'create', 'n1']));
  ok(t, await skiff(['run', '--rm', '--network', 'n1', 'busybox', 'true']));
  ok(t, await skiff(['network', 'rm', 'n1']));
  t.deepEqual(readdirSync(join(skiff.root, 'networks')).filter((f) => f.endsWith('.dns.log')), []);
});

test('smaller parity: -it without a terminal, network ls IDs, image prune size, ps after a tag is removed, -v ./dir', async (t) => {
  const skiff = await sb.engine();
  // docker run -it with stdin not a terminal (here /dev/null): refused, exit 1, nothing created.
  const it = await skiff(['run', '-it', 'busybox', 'true']);
  t.is(it.exitCode, 1);
  t.is(it.stderr, 'the input device is not a TTY');
  t.is((await skiff(['ps', '-a', '-q'])).stdout, '');
  ok(t, await skiff(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '60']));
  const ex = await skiff(['exec', '-it', 'ex', 'true']);
  t.is(ex.exitCode, 1);
  t.is(ex.stderr, 'the input device is not a TTY');
  ok(t, await skiff(['rm', '-f', 'ex']));
  // network ls: host and none have 64-hex IDs.
  const nets = (await skiff(['network', 'ls', '--no-trunc', '--format', '{{.Name}} {{.ID}}'])).stdout.split('\n');
  for (const name of ['host', 'none']) t.regex(nets.find((l) => l.startsWith(name + ' ')) ?? '', /^\w+ [0-9a-f]{64}$/, name);
  // image prune counts what it removed: a 12-byte layer, not the image with its shared base.
  ok(t, await skiff(['run', '--name', 'small', 'busybox', 'sh', '-c', 'printf 0123456789ab > /twelve']));
  ok(t, await skiff(['commit', 'small', 'small:1']));
  ok(t, await skiff(['rm', 'small']));
  ok(t, await skiff(['tag', 'busybox', 'small:1'])); // the committed image is dangling now; its base layers are busybox's
  const pruned = await skiff(['image', 'prune', '-f']);
  ok(t, pruned);
  t.regex(pruned.stdout, /Total reclaimed space: 12B$/);
  // ps shows the image ID once the name the container was made with is gone.
  ok(t, await skiff(['tag', 'busybox', 'gone:1']));
  ok(t, await skiff(['create', '--name', 'orphan', 'gone:1', 'true']));
  ok(t, await skiff(['rmi', 'gone:1']));
  const busyboxId = (await skiff(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout;
  t.is((await skiff(['ps', '-a', '--filter', 'name=orphan', '--format', '{{.Image}}'])).stdout, busyboxId.slice(7, 19));
  ok(t, await skiff(['rm', 'orphan']));
  // -v ./dir:/p is the cwd's dir (docker CLI 23+).
  const cwd = join(sb.dir, 'cwd');
  mkdirSync(join(cwd, 'dir'), { recursive: true });
  writeFileSync(join(cwd, 'dir', 'here'), 'relative\n');
  const rel = await sb.run(['run', '--rm', '-v', './dir:/p', 'busybox', 'cat', '/p/here'],
    { wrap: ['sh', '-c', `cd '${cwd}' && exec "$@"`, 'sh'], command: [ENGINE, '--root', skiff.root] });
  ok(t, rel);
  t.is(rel.stdout, 'relative');
});

test('on a full disk a foreground run\'s exit code is the one recorded (not 137, "monitor died")', async (t) => {
  // A small tmpfs as the whole root: the container fills it, then exits 7.
  const small = join(sb.dir, 'small-disk');
  mkdirSync(small);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', small]);
  const root = join(small, 'root');
  try {
    ok(t, await sb.skiff(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')], root));
    // The disk fills while the container runs (after a moment: a start that
    // cannot write its own record on a full disk is another case, a 125).
    const r = await sb.skiff(['run', '--name', 'full', 'busybox', 'sh', '-c', 'sleep 2; cat /dev/zero > /fill; exit 7'], root);
    t.is(r.exitCode, 7, r.stderr);
    t.is((await sb.skiff(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} [{{.State.Error}}]', 'full'], root)).stdout, 'exited 7 []');
    t.regex((await sb.skiff(['ps', '-a', '--format', '{{.Status}}'], root)).stdout, /^Exited \(7\)/);
    ok(t, await sb.skiff(['rm', '-f', 'full'], root));
  } finally {
    await execa('umount', ['-l', small]);
  }
});
