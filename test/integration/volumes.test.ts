// Volumes, as the seed notes' "Docker Volume" section uses them: host
// binds (directories and single files), named and anonymous volumes,
// --volumes-from, --mount and --tmpfs, the volume commands, and the point
// of it all: data that outlives its container.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('vol');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const engine = () => sb.engine();
let dirs = 0;
function hostDir(files: Record<string, string> = {}): string {
  const d = join(sb.dir, `host-${dirs++}`);
  mkdirSync(d, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), body);
  return d;
}

test('-v host binds: a directory hides the image\'s content, a single file, :ro, a missing host directory is made', async (t) => {
  const skiff = await engine();
  const dir = hostDir({ 'only-this': 'from host\n' });
  // The seeds' volume_test: mounting over a directory of the image hides what it had.
  t.is((await skiff(['run', '--rm', '-v', `${dir}:/etc`, 'busybox', 'ls', '/etc'])).stdout, 'only-this');
  const file = join(hostDir({ 'motd': 'hello from a file\n' }), 'motd');
  t.is((await skiff(['run', '--rm', '-v', `${file}:/etc/motd`, 'busybox', 'cat', '/etc/motd'])).stdout, 'hello from a file');
  const ro = await skiff(['run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'touch', '/data/x']);
  t.regex(ro.stderr, /Read-only file system/);
  const written = await skiff(['run', '--rm', '-v', `${dir}:/data:rw,z`, 'busybox', 'sh', '-c', 'echo from-container > /data/new']);
  t.is(written.exitCode, 0, written.stderr);
  t.is(readFileSync(join(dir, 'new'), 'utf8'), 'from-container\n');
  const missing = join(sb.dir, 'not-yet', 'deep');
  t.is((await skiff(['run', '--rm', '-v', `${missing}:/data`, 'busybox', 'true'])).exitCode, 0);
  t.true(existsSync(missing), 'docker -v makes a missing host directory');
  // rm of the container never touches the host directory's content.
  await skiff(['run', '--name', 'binder', '-v', `${dir}:/data`, 'busybox', 'true']);
  t.is((await skiff(['rm', '-v', 'binder'])).exitCode, 0);
  t.deepEqual(readdirSync(dir).sort(), ['new', 'only-this']);
});

test('bad mount specifications: one clear error each, exit 125, nothing created', async (t) => {
  const skiff = await engine();
  const cases: [string[], RegExp][] = [
    [['-v', 'rel/ative:/data'], /"rel\/ative" includes invalid characters for a local volume name.*use absolute path/],
    [['-v', '/tmp:data'], /the destination "data" must be an absolute path/],
    [['-v', '/tmp:/data/../etc'], /must not contain "\.\."/],
    [['-v', '/tmp:/'], /the destination cannot be "\/"/],
    [['-v', '/tmp:/data:sideways'], /invalid mode: sideways/],
    [['-v', '/a:/b:ro:extra'], /invalid volume specification/],
    [['--mount', 'type=bind,source=/no/such/dir,target=/x'], /bind source path does not exist: \/no\/such\/dir/],
    [['--mount', 'type=bind,target=/x'], /field Source must not be empty/],
    [['--mount', 'type=floppy,target=/x'], /invalid mount type "floppy"/],
    [['--mount', 'type=volume,source=v,target=/x,colour=blue'], /invalid field 'colour'/],
    [['-v', '/tmp:/same', '--tmpfs', '/same'], /Duplicate mount point: \/same/],
    [['--volumes-from', 'nobody'], /No such container: nobody/],
  ];
  for (const [flags, message] of cases) {
    const r = await skiff(['run', '--rm', ...flags, 'busybox', 'true']);
    t.is(r.exitCode, 125, flags.join(' '));
    t.regex(r.stderr, message, flags.join(' '));
  }
  t.is((await skiff(['ps', '-aq'])).stdout, '', 'no container was made');
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', 'no volume was made');
});

test('named volumes: made on first use, data outlives containers, a new one gets the image\'s content, a full one is kept', async (t) => {
  const skiff = await engine();
  t.is((await skiff(['run', '--rm', '-v', 'myvolume:/root', 'busybox', 'sh', '-c', 'echo kept > /root/file'])).exitCode, 0);
  t.is((await skiff(['run', '--rm', '-v', 'myvolume:/data', 'busybox', 'cat', '/data/file'])).stdout, 'kept');
  const mountpoint = (await skiff(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'myvolume'])).stdout;
  t.is(mountpoint, join(skiff.root, 'volumes/myvolume/_data'));
  t.is(readFileSync(join(mountpoint, 'file'), 'utf8'), 'kept\n');
  // Copy-up: a new volume over /etc starts with the image's /etc (owners kept).
  const etc = await skiff(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'sh', '-c', 'cat /etc/passwd | head -1; echo mine > /etc/mine']);
  t.regex(etc.stdout, /^root:x:0:0:/);
  const again = await skiff(['run', '--rm', '-v', 'etcvol:/usr', 'busybox', 'ls', '/usr']);
  t.true(again.stdout.split('\n').includes('mine'), 'a volume with data is mounted as it is, never refilled');
  t.false(again.stdout.split('\n').includes('bin'));
  // rm never removes a named volume, not even with -v.
  await skiff(['run', '--name', 'user', '-v', 'myvolume:/data', 'busybox', 'true']);
  await skiff(['rm', '-v', 'user']);
  t.is((await skiff(['volume', 'inspect', '-f', '{{.Name}}', 'myvolume'])).stdout, 'myvolume');
});

test('anonymous volumes: a 64-hex name; rm -v and run --rm remove them; --volumes-from shares them, :ro too', async (t) => {
  const skiff = await engine();
  const c = await skiff(['run', '--name', 'volume_auto', '-v', '/root', 'busybox', 'sh', '-c', 'echo anon > /root/a']);
  t.is(c.exitCode, 0, c.stderr);
  const mounts = JSON.parse((await skiff(['inspect', '-f', '{{json .Mounts}}', 'volume_auto'])).stdout);
  t.is(mounts.length, 1);
  t.like(mounts[0], { Type: 'volume', Destination: '/root', Driver: 'local', RW: true });
  t.regex(mounts[0].Name, /^[a-f0-9]{64}$/);
  t.is(mounts[0].Source, join(skiff.root, 'volumes', mounts[0].Name, '_data'));
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, mounts[0].Name);

  // The seeds' --volumes-from: the same volume in another container; :ro makes it read-only there.
  t.is((await skiff(['run', '--rm', '--volumes-from', 'volume_auto', 'busybox', 'cat', '/root/a'])).stdout, 'anon');
  const ro = await skiff(['run', '--rm', '--volumes-from', 'volume_auto:ro', 'busybox', 'touch', '/root/b']);
  t.regex(ro.stderr, /Read-only file system/);
  // In use by a container (even stopped): volume rm refuses, with -f too.
  const inUse = await skiff(['volume', 'rm', '-f', mounts[0].Name]);
  t.is(inUse.exitCode, 1);
  t.regex(inUse.stderr, new RegExp(`remove ${mounts[0].Name}: volume is in use - \\[[a-f0-9]{64}\\]`));
  t.is((await skiff(['rm', '-v', 'volume_auto'])).exitCode, 0);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', 'rm -v removed the anonymous volume');
  t.is((await skiff(['run', '--rm', '-v', '/data', 'busybox', 'true'])).exitCode, 0);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', 'run --rm removed its anonymous volume');
  const kept = await skiff(['run', '--name', 'k', '-v', '/data', 'busybox', 'true']);
  t.is(kept.exitCode, 0);
  await skiff(['rm', 'k']);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout.length, 64, 'rm without -v keeps it (dangling now)');
});

test('--mount (bind, volume, tmpfs) and --tmpfs; inspect shows every mount', async (t) => {
  const skiff = await engine();
  const dir = hostDir({ f: 'bound\n' });
  const r = await skiff(['run', '--name', 'm', '--mount', `type=bind,source=${dir},target=/b,readonly`,
    '--mount', 'type=volume,src=mvol,dst=/v', '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m',
    '--tmpfs', '/run/x:size=2m,mode=755', 'busybox', 'sh', '-c', 'cat /b/f; touch /b/no 2>&1; echo v > /v/f; grep -E " /t | /run/x " /proc/mounts']);
  t.regex(r.stdout, /^bound\ntouch: \/b\/no: Read-only file system\n/);
  t.regex(r.stdout, /tmpfs \/t tmpfs rw,.*size=1024k/);
  t.regex(r.stdout, /tmpfs \/run\/x tmpfs rw,.*size=2048k,mode=755/);
  const mounts = JSON.parse((await skiff(['inspect', '-f', '{{json .Mounts}}', 'm'])).stdout) as { Type: string; Destination: string; RW: boolean; Name?: string; Source: string }[];
  t.deepEqual(mounts.map((m) => [m.Type, m.Destination, m.RW]).sort(), [['bind', '/b', false], ['tmpfs', '/run/x', true], ['tmpfs', '/t', true], ['volume', '/v', true]]);
  t.is(mounts.find((m) => m.Type === 'bind')!.Source, dir);
  t.is(mounts.find((m) => m.Type === 'volume')!.Name, 'mvol');
  await skiff(['rm', '-v', 'm']);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, 'mvol', 'a named volume from --mount stays');
});

test('volume create/ls/inspect/rm/prune with docker\'s output and filters', async (t) => {
  const skiff = await engine();
  t.is((await skiff(['volume', 'create', '--name', 'myvolume', '-l', 'tier=db'])).stdout, 'myvolume');
  t.is((await skiff(['volume', 'create', 'other'])).stdout, 'other');
  t.is((await skiff(['volume', 'create', 'other'])).exitCode, 0, 'create is idempotent');
  const inspect = JSON.parse((await skiff(['inspect', '--type', 'volume', 'myvolume'])).stdout)[0];
  t.deepEqual(Object.keys(inspect).sort(), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  t.like(inspect, { Driver: 'local', Labels: { tier: 'db' }, Name: 'myvolume', Scope: 'local', Options: {} });
  t.regex((await skiff(['volume', 'ls'])).stdout, /^DRIVER\s+VOLUME NAME\nlocal\s+myvolume\nlocal\s+other$/);
  await skiff(['create', '--name', 'holder', '-v', 'myvolume:/data', '-v', '/anon', 'busybox']);
  t.is((await skiff(['volume', 'ls', '-q', '-f', 'dangling=true'])).stdout, 'other');
  t.is((await skiff(['volume', 'ls', '-q', '-f', 'name=my'])).stdout, 'myvolume');
  t.is((await skiff(['volume', 'ls', '-q', '-f', 'label=tier=db'])).stdout, 'myvolume');
  t.regex((await skiff(['volume', 'create', 'bad/name'])).stderr, /"bad\/name" includes invalid characters/);
  t.regex((await skiff(['volume', 'create', '-o', 'type=nfs', 'x1'])).stderr, /driver option "type" is not supported/);
  t.regex((await skiff(['volume', 'inspect', 'nope'])).stderr, /get nope: no such volume/);
  t.is((await skiff(['volume', 'rm', '-f', 'nope'])).exitCode, 0, '-f: a missing volume is fine');

  await skiff(['rm', 'holder']); // its anonymous volume stays, now unused
  const prune = await skiff(['volume', 'prune', '-f']);
  t.regex(prune.stdout, /^Deleted Volumes:\n[a-f0-9]{64}\n\nTotal reclaimed space: /, 'only the anonymous one');
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, 'myvolume\nother');
  t.regex((await skiff(['volume', 'prune', '-f', '-a'])).stdout, /Deleted Volumes:\n(myvolume|other)\n(myvolume|other)\n/);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '');
});

test('two containers creating the same named volume at once: one volume, both work', async (t) => {
  const skiff = await engine();
  const runs = await Promise.all(['a', 'b', 'c'].map((n) => skiff(['run', '--rm', '-v', 'shared:/etc', 'busybox', 'sh', '-c', `test -s /etc/passwd && echo ${n} > /etc/by-${n}`])));
  for (const r of runs) t.is(r.exitCode, 0, r.stderr);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, 'shared');
  const files = (await skiff(['run', '--rm', '-v', 'shared:/x', 'busybox', 'ls', '/x'])).stdout.split('\n');
  for (const n of ['a', 'b', 'c', 'passwd']) t.true(files.includes(n === 'passwd' ? n : `by-${n}`), n);
});

test('a destination that is a symlink in the image resolves inside the container, not on the host', async (t) => {
  const skiff = await engine();
  const outside = join(sb.dir, 'outside-target');
  t.is((await skiff(['run', '--name', 'mk', 'busybox', 'sh', '-c', `ln -s ${outside} /escape && ln -s ../../../../../../../..${outside} /escape2`])).exitCode, 0);
  t.is((await skiff(['commit', 'mk', 'linked'])).exitCode, 0);
  const data = hostDir({ secret: 'inside\n' });
  const r = await skiff(['run', '--rm', '-v', `${data}:/escape`, '-v', `${data}:/escape2/sub`, 'linked', 'cat', `${outside}/secret`]);
  t.is(r.stdout, 'inside', r.stderr);
  t.false(existsSync(outside), 'nothing was mounted or made on the host side of the link');
  await skiff(['rm', 'mk']);
});
