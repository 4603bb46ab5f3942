// A container's own filesystem layer and what is made of it: diff, commit
// (then run the new image), export, cp in both directions (a symlink the
// container planted cannot send a copy to the host), and changes that stay
// in their container.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('efiles');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const engine = () => sb.engine();

test('diff lists A/C/D; commit makes an image that runs with the changes; history and author kept', async (t) => {
  const skiff = await engine();
  const run = await skiff(['run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo hi > /root/new && rm /bin/ls && mkdir -p /opt/app && echo x > /opt/app/f && ln /opt/app/f /opt/app/hard']);
  t.is(run.exitCode, 0, run.stderr);
  // The engine's own mount points (/etc/hostname, ...) are not the container's changes.
  t.is((await skiff(['diff', 'maker'])).stdout, ['C /bin', 'D /bin/ls', 'A /opt', 'A /opt/app', 'A /opt/app/f', 'A /opt/app/hard', 'C /root', 'A /root/new'].join('\n'));
  const commit = await skiff(['commit', '-m', 'my change', '-a', 'Ada <ada@example.org>', '-c', 'CMD ["cat", "/root/new"]', '-c', 'ENV MODE=committed', 'maker', 'mine:v1']);
  t.is(commit.exitCode, 0, commit.stderr);
  t.regex(commit.stdout, /^sha256:[a-f0-9]{64}$/);
  t.is((await skiff(['run', '--rm', 'mine:v1'])).stdout, 'hi', 'the new CMD and the new file');
  t.is((await skiff(['run', '--rm', 'mine:v1', 'sh', '-c', 'echo $MODE; cat /opt/app/hard; ls /bin/ls'])).stdout, 'committed\nx');
  t.is((await skiff(['run', '--rm', 'mine:v1', 'test', '-e', '/bin/ls'])).exitCode, 1, 'the deletion is a whiteout in the new layer');
  t.is((await skiff(['image', 'inspect', '-f', '{{.Author}}', 'mine:v1'])).stdout, 'Ada <ada@example.org>');
  const history = (await skiff(['history', 'mine:v1'])).stdout.split('\n');
  t.regex(history[1], /sh -c echo hi > \/root\/new.*my change$/);
  t.is(history.length, 4, 'the image\'s two layers and ours');
  // The image the container came from has none of it.
  t.is((await skiff(['run', '--rm', 'busybox', 'sh', '-c', 'ls /root/new /opt 2>&1; ls /bin/ls'])).stdout.split('\n').pop(), '/bin/ls');
  t.regex((await skiff(['commit', 'maker', 'Bad:Name'])).stderr, /invalid reference format/);
  await skiff(['rm', 'maker']);
});

test('commit of a running container (paused for the copy) and changes invisible to another container', async (t) => {
  const skiff = await engine();
  await skiff(['run', '-d', '--name', 'a', 'busybox', 'sh', '-c', 'echo a-was-here > /tmp/a; sleep 1000']);
  await skiff(['run', '-d', '--name', 'b', 'busybox', 'sleep', '1000']);
  await new Promise((r) => setTimeout(r, 300));
  t.is((await skiff(['exec', 'a', 'cat', '/tmp/a'])).stdout, 'a-was-here');
  t.is((await skiff(['exec', 'b', 'ls', '/tmp'])).stdout, '', 'b does not see a\'s file');
  const commit = await skiff(['commit', 'a', 'snapshot']);
  t.is(commit.exitCode, 0, commit.stderr);
  t.regex((await skiff(['ps', '-f', 'name=a'])).stdout, /Up /, 'running again after the commit');
  t.is((await skiff(['run', '--rm', 'snapshot', 'cat', '/tmp/a'])).stdout, 'a-was-here');
  await skiff(['rm', '-f', 'a', 'b']);
});

test('export writes the whole root as a tar; cp copies both ways with docker\'s rules', async (t) => {
  const skiff = await engine();
  await skiff(['create', '--name', 'box', 'busybox', 'true']);
  const tarFile = join(sb.dir, 'box.tar');
  t.is((await skiff(['export', '-o', tarFile, 'box'])).exitCode, 0);
  const list = (await sb.run(['-tf', tarFile], { command: ['tar'] })).stdout.split('\n');
  t.true(list.includes('bin/busybox'));
  t.true(list.includes('hello.txt'), 'the fixture\'s second layer');
  t.false(list.includes('etc/removeme'), 'its whiteout honoured');

  const host = join(sb.dir, 'host');
  mkdirSync(join(host, 'dir/sub'), { recursive: true });
  writeFileSync(join(host, 'file.txt'), 'from host\n');
  writeFileSync(join(host, 'dir/sub/deep'), 'deep\n');
  t.is((await skiff(['cp', join(host, 'file.txt'), 'box:/root/'])).exitCode, 0);
  t.is((await skiff(['cp', join(host, 'dir'), 'box:/srv'])).exitCode, 0, 'to a new path: the directory becomes it');
  t.is((await skiff(['cp', join(host, 'dir'), 'box:/root'])).exitCode, 0, 'to an existing directory: as a child');
  const out = join(sb.dir, 'out');
  t.is((await skiff(['cp', 'box:/root', out])).exitCode, 0);
  t.is(readFileSync(join(out, 'file.txt'), 'utf8'), 'from host\n');
  t.is(readFileSync(join(out, 'dir/sub/deep'), 'utf8'), 'deep\n');
  t.is((await skiff(['cp', 'box:/srv/sub/deep', join(sb.dir, 'deep-copy')])).exitCode, 0);
  t.is(readFileSync(join(sb.dir, 'deep-copy'), 'utf8'), 'deep\n');
  const missing = await skiff(['cp', 'box:/nope', out]);
  t.is(missing.exitCode, 125);
  t.regex(missing.stderr, /Could not find the file \/nope in container box/);
  await skiff(['rm', 'box']);
});

test('cp into a container follows its symlinks inside its root, never out to the host', async (t) => {
  const skiff = await engine();
  const target = join(sb.dir, 'host-target');
  mkdirSync(target);
  // The container plants absolute and relative links that would point at the host's target dir.
  const plant = await skiff(['run', '--name', 'evil', 'busybox', 'sh', '-c',
    `ln -s ${target} /abs && ln -s ../../../../../../..${target} /rel && mkdir -p ${target}`]);
  t.is(plant.exitCode, 0, plant.stderr);
  const payload = join(sb.dir, 'payload');
  writeFileSync(payload, 'payload\n');
  t.is((await skiff(['cp', payload, 'evil:/abs/'])).exitCode, 0);
  t.is((await skiff(['cp', payload, 'evil:/rel/x'])).exitCode, 0);
  t.false(existsSync(join(target, 'payload')), 'nothing written through /abs to the host');
  t.false(existsSync(join(target, 'x')), 'nothing written through /rel to the host');
  t.is((await skiff(['diff', 'evil'])).stdout.includes(`A ${target}/payload`), true, 'the copy landed inside the container');
  t.is((await skiff(['diff', 'evil'])).stdout.includes(`A ${target}/x`), true);
  await skiff(['rm', 'evil']);
});
