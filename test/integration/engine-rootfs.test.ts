// An engine container's root and bundle, run through the runtime: the
// image's layers under overlayfs (whiteouts honoured), Docker's default
// capabilities and /etc files, changes kept in the container's own upper
// layer (invisible to the image and to other containers), clean teardown.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_IMAGES, Sandbox } from '../helpers.js';
import { ImageStore } from '../../src/image/store.js';
import { ContainerStore } from '../../src/engine/containers.js';
import { prepareContainer, releaseContainer } from '../../src/engine/prepare.js';
import { native } from '../../src/native.js';

const sb = new Sandbox('eng');
const root = join(sb.dir, 'engine');
test.after.always('nothing left behind', async (t) => {
  // Containers' roots are unmounted by rm; whatever a failed test left, too.
  for (const id of existsSync(join(root, 'containers')) ? readdirSync(join(root, 'containers')) : []) releaseContainer(new ContainerStore(root), id);
  t.deepEqual(await sb.cleanup(), []);
});

const mask = (names: string[]) => names.reduce((m, n) => m | (1n << BigInt(native().constants[n])), 0n).toString(16).padStart(16, '0');

async function createAndPrepare(name: string, cmd: string[]) {
  const r = await sb.skiff(['create', '--name', name, 'busybox', ...cmd], root);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  const containers = new ContainerStore(root);
  const c = containers.find(name);
  return { c, containers, prepared: prepareContainer(new ImageStore(root), containers, c) };
}

test.serial('a container runs on its image\'s layers with Docker\'s defaults', async (t) => {
  await sb.skiff(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')], root);
  const { c, containers, prepared } = await createAndPrepare('first', ['sh', '-c',
    'hostname; cat /etc/hostname; cat /hello.txt; ls /etc/removeme 2>&1; grep CapEff /proc/self/status; echo written > /root/mine']);
  const r = await sb.run(['run', '--bundle', prepared.bundle, c.Id]);
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(lines[0], c.Id.slice(0, 12), 'hostname is the short ID');
  t.is(lines[1], c.Id.slice(0, 12));
  t.is(lines[2], 'hello from layer 2', 'the top layer is visible');
  t.regex(lines[3], /No such file or directory/, 'the whiteout hides the lower file');
  const { DEFAULT_CAPABILITIES } = await import('../../src/engine/ocispec.js');
  t.regex(lines[4], new RegExp(`CapEff:\\s+${mask(DEFAULT_CAPABILITIES)}`));
  // The write went to this container's upper directory only.
  t.is(readFileSync(join(containers.dir, c.Id, 'upper/root/mine'), 'utf8'), 'written\n');
  releaseContainer(containers, c.Id);
  t.false(readFileSync('/proc/self/mountinfo', 'utf8').includes(c.Id), 'the root is unmounted');
});

test.serial('changes in one container are invisible to another and to the image', async (t) => {
  const a = await createAndPrepare('writer', ['sh', '-c', 'echo a > /etc/shared-name && rm /bin/ls']);
  t.is((await sb.run(['run', '--bundle', a.prepared.bundle, a.c.Id])).exitCode, 0);
  const b = await createAndPrepare('reader', ['sh', '-c', 'cat /etc/shared-name 2>&1; ls -d /bin/ls']);
  const r = await sb.run(['run', '--bundle', b.prepared.bundle, b.c.Id]);
  t.regex(r.stdout, /No such file or directory\n\/bin\/ls/);
  const images = new ImageStore(root);
  for (const l of images.images()[0].layers) t.false(existsSync(join(images.layerDiff(l.chainID), 'etc/shared-name')));
  // rm unmounts and removes the container's layer.
  for (const name of ['first', 'writer', 'reader']) t.is((await sb.skiff(['rm', name], root)).exitCode, 0);
  t.deepEqual(readdirSync(join(root, 'containers')), []);
  t.false(readFileSync('/proc/self/mountinfo', 'utf8').includes(join(root, 'containers')));
});
