// The fault matrix (issue 17, part 3): SKIFF_FAULT=<step> (src/util/fault.ts)
// SIGKILLs skiff at one named step of run, create, start, stop, rm, pull,
// load, commit, the network plug and release, volume create and volume rm,
// as a crash or the OOM killer would stop it there. For every step the test
// checks that the point was really reached (SKIFF_FAULT_LOG names the
// process that died), then that the next command (ps, start, rm, pull,
// load, prune) finds the container or image whole or gone and leaves no
// mount, cgroup, veth, bridge, nft table, endpoint, monitor, DNS server,
// runtime state, lock record or temp file of this root.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ENGINE, FIXTURE_IMAGES, Sandbox, tempFiles, type CliResult, type EngineCli } from '../helpers.js';
import { pushFixtures, startRegistry, type Registry } from '../registry.js';
import { tableFor } from '../../src/network/nft.js';

const sb = new Sandbox('faults');
const LOG = join(sb.dir, 'faults.log');
let registry: Registry | undefined;
test.after.always('nothing left behind', async (t) => {
  await registry?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs an engine command with the fault armed (its children inherit it: the monitor's exit command too). */
function armed(root: string, step: string, args: string[]): Promise<CliResult> {
  return sb.run(args, { wrap: ['env', `SKIFF_FAULT=${step}`, `SKIFF_FAULT_LOG=${LOG}`], command: [ENGINE, '--root', root] });
}

/** Whether some skiff process died at `step` (waits for ones that run later, as the exit command); clears the log. */
async function reached(step: string, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = existsSync(LOG) && readFileSync(LOG, 'utf8').split('\n').some((l) => l.startsWith(`${step} `));
    if (seen || Date.now() > deadline) {
      rmSync(LOG, { force: true });
      return seen;
    }
    await sleep(50);
  }
}

const ok = (t: ExecutionContext, r: CliResult, what: string) => t.is(r.exitCode, 0, `${what}: ${r.stderr}`);

/** ps -a as "ID NAME STATE" lines; every state one docker shows for a container at rest. */
async function listed(t: ExecutionContext, skiff: EngineCli, step: string): Promise<{ id: string; name: string; state: string }[]> {
  const ps = await skiff(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}']);
  ok(t, ps, `${step}: ps -a`);
  return ps.stdout.split('\n').filter(Boolean).map((l) => {
    t.regex(l, /^[a-f0-9]{64} \S+ (created|running|exited)$/, `${step}: a coherent ps line`);
    const [id, name, state] = l.split(' ');
    return { id, name, state };
  });
}

/** Everything of `root` still on the host or in its store that a finished command would not leave. */
async function leftovers(root: string, ids: string[]): Promise<string[]> {
  // (the registry of the pull test runs from this sandbox too)
  const found = sb.leftovers(ids).filter((l) => !/^process \d+ docker-registry /.test(l));
  found.push(...tempFiles(root));
  for (const d of ['tmp', 'pending']) {
    if (existsSync(join(root, d))) for (const e of readdirSync(join(root, d))) found.push(`${d}/${e}`);
  }
  const table = tableFor(root);
  const tables = (await execa('nft', ['list', 'tables'], { reject: false })).stdout;
  if (tables.split('\n').some((l) => l.trim() === `table ip ${table}`)) found.push(`nftables table ip ${table}`);
  return found;
}

/** Every image the store lists has all its layers and blobs: whole, never half there. */
function imagesWhole(t: ExecutionContext, root: string, step: string): void {
  const dir = join(root, 'images');
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { layers: { chainID: string }[]; blobs: string[] };
    for (const l of rec.layers) t.true(existsSync(join(root, 'layers', l.chainID.slice(7), 'layer.json')), `${step}: layer ${l.chainID} of ${f}`);
    for (const b of rec.blobs) t.true(existsSync(join(root, 'blobs/sha256', b.slice(7))), `${step}: blob ${b} of ${f}`);
  }
}

/** After rmi and prune: no layer, blob or image record is left in the store. */
function storeEmpty(root: string): string[] {
  return ['images', 'layers', 'blobs/sha256'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((e) => `${d}/${e}`) : []));
}

// The steps of `run -d` in order: the engine's record and launch, the
// runtime's create in the same process, the network plug, the start.
const START_STEPS = [
  'run: begin', 'record:built-aside', 'run: container record created', 'launch: begin', 'launch: old runtime state removed',
  'launch:network-planned', 'launch: rootfs and bundle ready', 'create: begin', 'create: plan built', 'create: PID received',
  'create: cgroups joined', 'create: CREATED received', 'launch:created', 'network: bridge up', 'network: veth plugged',
  'network: rules applied', 'launch:network-plugged', 'start: released', 'launch:started',
];

test.serial('run -d -p -v killed at each step: ps is coherent, the container starts again or is gone, rm -f -v leaves nothing', async (t) => {
  const skiff = await sb.engine();
  const ids: string[] = [];
  for (const [i, step] of START_STEPS.entries()) {
    const name = `s${i}`;
    await armed(skiff.root, step, ['run', '-d', '--name', name, '-p', '127.0.0.1::80', '-v', '/data', 'busybox', 'sleep', '100']);
    t.true(await reached(step), `${step}: the fault point was reached`);
    const mine = (await listed(t, skiff, step)).filter((c) => c.name === name);
    for (const c of mine) {
      ids.push(c.id);
      ok(t, await skiff(['start', name]), `${step}: start`);
      t.is((await skiff(['inspect', '-f', '{{.State.Status}}', name])).stdout, 'running', `${step}: whole: it runs`);
      ok(t, await skiff(['rm', '-f', '-v', name]), `${step}: rm -f -v`);
    }
    t.deepEqual(await leftovers(skiff.root, ids), [], step);
    t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', `${step}: no volume left`);
  }
  ok(t, await skiff(['run', '--rm', 'busybox', 'true']), 'the engine still runs containers');
});

test.serial('run on a user network killed when its DNS server is up: rm -f stops the server, nothing left', async (t) => {
  const skiff = await sb.engine();
  ok(t, await skiff(['network', 'create', 'faultnet']), 'network create');
  t.teardown(() => skiff(['network', 'rm', 'faultnet']).then(() => undefined));
  const ids: string[] = [];
  for (const step of ['network: bridge up', 'network: dns server ready', 'launch:network-plugged']) {
    await armed(skiff.root, step, ['run', '-d', '--name', 'dn', '--network', 'faultnet', 'busybox', 'sleep', '100']);
    t.true(await reached(step), `${step}: the fault point was reached`);
    for (const c of await listed(t, skiff, step)) ids.push(c.id);
    ok(t, await skiff(['start', 'dn']), `${step}: start`);
    t.is((await skiff(['exec', 'dn', 'nslookup', 'dn'])).exitCode, 0, `${step}: its name resolves`);
    ok(t, await skiff(['rm', '-f', 'dn']), `${step}: rm -f`);
    t.deepEqual(await leftovers(skiff.root, ids), [], step);
  }
});

// A stop: the stop command signals; the container's monitor then runs the
// exit command (`skiff container cleanup`), which removes the runtime
// container, releases the network and records the exit. Those steps are
// armed in the `run`, whose environment the monitor and its exit command
// inherit; the `stop` itself is the next command that must finish the job.
const STOP_STEPS: [string, 'stop' | 'exit command'][] = [
  ['stop:signalled', 'stop'], ['finish:runtime-removed', 'exit command'], ['release: veths removed', 'exit command'],
  ['release: bridges removed', 'exit command'], ['release: rules applied', 'exit command'], ['finish:recorded', 'exit command'],
];

test.serial('stop killed at each step, or its exit command: the container is exited or running, starts again, rm leaves nothing', async (t) => {
  const skiff = await sb.engine();
  const ids: string[] = [];
  for (const [i, [step, who]] of STOP_STEPS.entries()) {
    const name = `t${i}`;
    const runArgs = ['run', '-d', '--name', name, '-p', '127.0.0.1::80', 'busybox', 'sleep', '100'];
    ok(t, who === 'stop' ? await skiff(runArgs) : await armed(skiff.root, step, runArgs), `${step}: run`);
    const stopArgs = ['stop', '-t', '1', name];
    if (who === 'stop') await armed(skiff.root, step, stopArgs);
    else ok(t, await skiff(stopArgs), `${step}: stop finishes what the exit command left`);
    t.true(await reached(step), `${step}: the fault point was reached (in the ${who})`);
    for (const c of (await listed(t, skiff, step)).filter((x) => x.name === name)) {
      ids.push(c.id);
      ok(t, await skiff(['start', name]), `${step}: start`);
      t.is((await skiff(['inspect', '-f', '{{.State.Status}}', name])).stdout, 'running', `${step}: whole: it runs again`);
    }
    ok(t, await skiff(['rm', '-f', name]), `${step}: rm -f`);
    t.deepEqual(await leftovers(skiff.root, ids), [], step);
  }
});

test.serial('rm -f -v killed at each step: the container is whole or gone, rm and prune leave nothing', async (t) => {
  const skiff = await sb.engine();
  const ids: string[] = [];
  for (const [i, step] of ['rm:killed', 'rm:files-destroyed', 'rm:renamed-aside'].entries()) {
    const name = `r${i}`;
    const c = await skiff(['run', '-d', '--name', name, '-p', '127.0.0.1::80', '-v', '/data', 'busybox', 'sleep', '100']);
    ok(t, c, `${step}: run`);
    ids.push(c.stdout);
    await armed(skiff.root, step, ['rm', '-f', '-v', name]);
    t.true(await reached(step), `${step}: the fault point was reached`);
    if ((await listed(t, skiff, step)).some((x) => x.name === name)) ok(t, await skiff(['rm', '-f', '-v', name]), `${step}: rm -f -v again`);
    ok(t, await skiff(['container', 'prune', '-f']), `${step}: container prune`);
    ok(t, await skiff(['volume', 'prune', '-f']), `${step}: volume prune`);
    t.is((await skiff(['ps', '-aq'])).stdout, '', step);
    t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', `${step}: no volume left`);
    t.deepEqual(await leftovers(skiff.root, ids), [], step);
  }
});

test.serial('volume create and rm killed half way: the volume is whole or gone, and made again cleanly', async (t) => {
  const skiff = await sb.engine();
  await armed(skiff.root, 'volume:built-aside', ['volume', 'create', 'fv']);
  t.true(await reached('volume:built-aside'), 'volume create: the fault point was reached');
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', 'a half-made volume is not listed');
  ok(t, await skiff(['volume', 'create', 'fv']), 'volume create again');
  t.deepEqual(await leftovers(skiff.root, []), [], 'the next volume create swept the half-made one');
  ok(t, await skiff(['run', '--rm', '-v', 'fv:/v', 'busybox', 'touch', '/v/mark']), 'the volume is usable');
  await armed(skiff.root, 'volume:renamed-aside', ['volume', 'rm', 'fv']);
  t.true(await reached('volume:renamed-aside'), 'volume rm: the fault point was reached');
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, '', 'a half-removed volume is gone');
  ok(t, await skiff(['volume', 'create', 'fv']), 'volume create of the same name');
  t.deepEqual(await leftovers(skiff.root, []), [], 'the next volume create swept the half-removed one');
  ok(t, await skiff(['run', '--rm', '-v', 'fv:/v', 'busybox', 'sh', '-c', 'test ! -e /v/mark']), 'a fresh, empty volume');
  ok(t, await skiff(['volume', 'rm', 'fv']), 'volume rm');
  t.deepEqual(await leftovers(skiff.root, []), []);
});

/** One image command killed at each step; `again` redoes it; the image must then run, and rmi + prune empty the store. */
async function imageMatrix(t: ExecutionContext, root: string, steps: string[], args: string[], image: string): Promise<void> {
  const skiff = Object.assign((a: string[]) => sb.skiff(a, root), { root });
  for (const step of steps) {
    await armed(root, step, args);
    t.true(await reached(step), `${step}: the fault point was reached`);
    ok(t, await skiff(['images', '-a']), `${step}: images`);
    imagesWhole(t, root, step);
    ok(t, await skiff(args), `${step}: again`);
    ok(t, await skiff(['run', '--rm', image, 'true']), `${step}: whole: it runs`);
    ok(t, await skiff(['rmi', image]), `${step}: rmi`);
    ok(t, await skiff(['image', 'prune', '-a', '-f']), `${step}: image prune`);
    t.deepEqual(storeEmpty(root), [], `${step}: rmi and prune left nothing in the store`);
    t.deepEqual(await leftovers(root, []), [], step);
  }
}

test.serial('load killed at each step: the image is whole or gone, load again works, nothing left', async (t) => {
  await imageMatrix(t, join(sb.dir, 'load-root'), ['load:archive-unpacked', 'layer:unpacked', 'image:recorded'],
    ['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')], 'busybox');
});

test.serial('pull killed at each step: the image is whole or gone, pull again works, nothing left', async (t) => {
  registry = await startRegistry(join(sb.dir, 'registry'));
  await pushFixtures(registry.host);
  await imageMatrix(t, join(sb.dir, 'pull-root'), ['layer:unpacked', 'pull:layers-stored', 'image:recorded'],
    ['pull', '-q', `${registry.host}/library/busybox:latest`], `${registry.host}/library/busybox:latest`);
});

test.serial('commit killed at each step: the container runs on, thawed; no half image; commit again works', async (t) => {
  const skiff = await sb.engine();
  const c = await skiff(['run', '-d', '--name', 'cm', 'busybox', 'sh', '-c', 'echo kept > /mark; sleep 100']);
  ok(t, c, 'run');
  t.teardown(() => skiff(['rm', '-f', 'cm']).then(() => undefined));
  for (const [i, step] of ['commit:frozen', 'layer:unpacked', 'image:recorded'].entries()) {
    await armed(skiff.root, step, ['commit', 'cm', `half:${i}`]);
    t.true(await reached(step), `${step}: the fault point was reached`);
    t.deepEqual((await listed(t, skiff, step)).map((x) => x.state), ['running'], `${step}: the container runs on`);
    ok(t, await skiff(['exec', 'cm', 'true']), `${step}: not frozen`);
    imagesWhole(t, skiff.root, step);
    ok(t, await skiff(['commit', 'cm', `half:${i}`]), `${step}: commit again`);
    t.is((await skiff(['run', '--rm', `half:${i}`, 'cat', '/mark'])).stdout, 'kept', `${step}: the committed image is whole`);
    ok(t, await skiff(['rmi', `half:${i}`]), `${step}: rmi`);
    ok(t, await skiff(['image', 'prune', '-f']), `${step}: image prune`);
    // (the monitor's exit.json is reserved while the container runs)
    t.deepEqual(tempFiles(skiff.root).filter((f) => !f.endsWith('/.exit.json.tmp')), [], step);
  }
  ok(t, await skiff(['rm', '-f', 'cm']), 'rm -f');
  ok(t, await skiff(['image', 'prune', '-f']), 'image prune');
  t.deepEqual(await leftovers(skiff.root, [c.stdout]), []);
});
