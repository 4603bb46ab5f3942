// The prune filters (until=, label=, label!=) of containers, images,
// volumes, networks and system prune, through the docker CLI v28 on `skiff
// serve` and through the daemonless skiff CLI on the same root: both reach
// the same core operation, so they keep and take the same things and refuse
// the same bad filters (moby daemon/prune.go semantics).
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveSuite, sleep } from '../serve.js';
import { buildTar } from '../tarfixture.js';

const suite = serveSuite('serve-prune');

const docker = suite.docker;
/** A created container with these labels; its full ID. */
async function created(t: { teardown: (f: () => Promise<unknown>) => void }, ...labels: string[]): Promise<string> {
  const r = await docker(['create', '--network', 'none', ...labels.flatMap((l) => ['--label', l]), 'busybox', 'true']);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  const id = (await docker(['inspect', '--format', '{{.Id}}', r.stdout])).stdout;
  t.teardown(() => suite.engine(['rm', '-f', id]));
  return id;
}
const containerIds = async () => (await docker(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean).sort();

test.serial('container prune --filter until= (a time or a duration) and label=, label!=', async (t) => {
  const old = await created(t, 'team=a');
  await sleep(50);
  const cut = new Date().toISOString();
  await sleep(50);
  const young = await created(t, 'team=b');
  const plain = await created(t);

  // A duration: nothing is an hour old.
  const none = await docker(['container', 'prune', '-f', '--filter', 'until=1h']);
  t.is(none.exitCode, 0, none.stderr);
  t.is(none.stdout, 'Total reclaimed space: 0B');
  t.deepEqual(await containerIds(), [old, young, plain].sort());
  // A time: only what was created before it.
  const before = await docker(['container', 'prune', '-f', '--filter', `until=${cut}`]);
  t.is(before.exitCode, 0, before.stderr);
  t.regex(before.stdout, new RegExp(`^Deleted Containers:\n${old}\n`));
  t.deepEqual(await containerIds(), [young, plain].sort());
  // label!=: everything but what has the label; label=: only what has it (the skiff CLI, same core).
  const notB = await docker(['container', 'prune', '-f', '--filter', 'label!=team=b']);
  t.regex(notB.stdout, new RegExp(`^Deleted Containers:\n${plain}\n`));
  t.deepEqual(await containerIds(), [young]);
  t.is((await suite.engine(['container', 'prune', '-f', '--filter', 'label=team=a'])).stdout, 'Total reclaimed space: 0B');
  t.regex((await suite.engine(['container', 'prune', '-f', '--filter', 'label=team'])).stdout, new RegExp(`^Deleted Containers:\n${young}\n`));
  t.deepEqual(await containerIds(), []);

  // Bad filters fail before anything goes, with the same sentence from both.
  await created(t);
  const bad = await docker(['container', 'prune', '-f', '--filter', 'until=yesterday']);
  t.not(bad.exitCode, 0);
  t.regex(bad.stderr, /Error response from daemon: invalid filter 'until' "yesterday"/);
  t.regex((await suite.engine(['container', 'prune', '-f', '--filter', 'until=yesterday'])).stderr, /invalid filter 'until' "yesterday"/);
  t.regex((await docker(['container', 'prune', '-f', '--filter', 'until=1h', '--filter', 'until=2h'])).stderr, /more than one until filter specified/);
  t.regex((await docker(['container', 'prune', '-f', '--filter', 'colour=red'])).stderr, /invalid filter 'colour'/);
  t.is((await containerIds()).length, 1, 'nothing went');
});

test.serial('image, volume and network prune with label and until filters; system prune --filter', async (t) => {
  // Two dangling images made by import, one labelled.
  const rootfs = join(suite.sb.dir, 'rootfs.tar');
  writeFileSync(rootfs, buildTar([{ name: 'etc/', type: '5' }, { name: 'etc/motd', body: 'imported\n' }]));
  const labelled = (await docker(['import', '-c', 'LABEL team=a', rootfs])).stdout;
  const bare = (await docker(['import', '-c', 'LABEL other=x', rootfs])).stdout;
  t.regex(labelled, /^sha256:[a-f0-9]{64}$/);
  t.is((await docker(['image', 'prune', '-f', '--filter', 'until=1h'])).stdout, 'Total reclaimed space: 0B', 'both are new');
  const images = await docker(['image', 'prune', '-f', '--filter', 'label=team=a']);
  t.is(images.exitCode, 0, images.stderr);
  t.regex(images.stdout, new RegExp(`^Deleted Images:\ndeleted: ${labelled}\n`));
  t.is((await docker(['images', '-q', '-f', 'dangling=true', '--no-trunc'])).stdout, bare);

  // Volumes: label and label! (volumes have no until, as in moby).
  for (const [name, label] of [['va', 'team=a'], ['vb', 'team=b']]) t.is((await docker(['volume', 'create', '--label', label, name])).exitCode, 0);
  t.teardown(() => suite.engine(['volume', 'rm', 'va', 'vb']));
  const vols = await docker(['volume', 'prune', '-f', '--filter', 'label!=team=a']);
  t.is(vols.exitCode, 0, vols.stderr);
  t.regex(vols.stdout, /^Deleted Volumes:\nvb\n\n/);
  t.regex((await docker(['volume', 'prune', '-f', '--filter', 'until=1h'])).stderr, /invalid filter 'until'/);
  t.is((await docker(['volume', 'ls', '-q'])).stdout, 'va');

  // Networks: until keeps the new one, label picks.
  for (const [name, label] of [['pna', 'team=a'], ['pnb', 'team=b']]) t.is((await docker(['network', 'create', '--label', label, name])).exitCode, 0);
  t.teardown(() => suite.engine(['network', 'rm', 'pna', 'pnb']));
  t.is((await docker(['network', 'prune', '-f', '--filter', 'until=1h'])).stdout, '');
  t.regex((await docker(['network', 'prune', '-f', '--filter', 'label=team=b'])).stdout, /^Deleted Networks:\npnb\n/);
  t.is((await docker(['network', 'ls', '-f', 'name=pn', '--format', '{{.Name}}'])).stdout, 'pna');

  // system prune passes its filters to each prune: only team=a things go.
  const c = await created(t, 'team=a');
  const keep = await created(t, 'team=b');
  const system = await docker(['system', 'prune', '-af', '--volumes', '--filter', 'label=team=a']);
  t.is(system.exitCode, 0, system.stderr);
  t.regex(system.stdout, new RegExp(`Deleted Containers:\n${c}\n\nDeleted Networks:\npna\n\nDeleted Volumes:\nva\n`));
  t.deepEqual(await containerIds(), [keep]);
  t.is((await docker(['images', '-q', '--no-trunc', '-f', 'dangling=true'])).stdout, bare, 'the unlabelled image stays');
  t.regex((await suite.engine(['system', 'prune', '-f', '--volumes', '--filter', 'until=1h'])).stderr, /"until" filter is not supported with "--volumes"/);
});
