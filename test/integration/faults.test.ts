// The fault matrix: SKIFF_FAULT=<step> (src/util/fault.ts) SIGKILLs skiff at
// a named step of run (record, launch, the runtime's create, the network
// plug, start) and of rm (the network release). After each, the next
// commands (ps, rm -f) leave no monitor, cgroup, runtime state, mount, veth,
// endpoint, process or temp file, and the container is whole or gone.
import test from 'ava';
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE, Sandbox } from '../helpers.js';

const sb = new Sandbox('faults');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual((await sb.cleanup()).filter((l) => !l.startsWith('bridge ')), []);
});

const RUN_STEPS = [
  'run: begin', 'run: container record created', 'launch: begin', 'launch: old runtime state removed',
  'launch: rootfs and bundle ready', 'create: begin', 'create: plan built', 'create: PID received', 'create: cgroups joined',
  'create: CREATED received', 'network: bridge up', 'network: rules applied', 'network: veth plugged', 'launch: network plugged',
  'start: released',
];
const RM_STEPS = ['release: rules applied', 'release: veths removed', 'release: bridges removed', 'delete: done'];

/** Runs skiff with SKIFF_FAULT set: it must die of SIGKILL (the step was reached). */
async function killedAt(root: string, step: string, args: string[]) {
  const r = await execa(ENGINE, ['--root', root, ...args], { reject: false, env: { SKIFF_FAULT: step }, stdin: 'ignore', timeout: 60_000 });
  return r.signal;
}

/** Everything of this root still on the host (the default bridge stays, as docker's docker0). */
function leftovers(root: string, ids: string[]): string[] {
  const found = sb.leftovers(ids).filter((l) => !l.startsWith('bridge '));
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() && !e.isSymbolicLink() ? (d.endsWith('/layers') || e.name === 'rootfs' ? [] : walk(join(d, e.name))) : [join(d, e.name)]);
  for (const f of existsSync(root) ? walk(root) : []) if (/\.tmp$|\.partial$/.test(f)) found.push(`temp file ${f}`);
  for (const n of readdirSync('/sys/class/net')) if (ids.some((id) => n === `vsk${id.slice(0, 6)}000`)) found.push(`veth ${n}`);
  return found;
}

// Not yet enabled: first run (see the branch's report) showed the runtime's
// 'main' is not an engine step and the release steps run in the monitor's
// cleanup command, which inherits SKIFF_FAULT; to be re-run and enabled.
test.serial.skip('run -d -p killed at each step: ps is coherent, rm -f leaves nothing, the image is whole', async (t) => {
  const skiff = await sb.engine();
  const seen: string[] = [];
  for (const step of RUN_STEPS) {
    const signal = await killedAt(skiff.root, step, ['run', '-d', '-p', '127.0.0.1::80', 'busybox', 'sleep', '100']);
    t.is(signal, 'SIGKILL', `${step}: the step was reached`);
    const ps = await skiff(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}']);
    t.is(ps.exitCode, 0, `${step}: ${ps.stderr}`);
    const lines = ps.stdout.split('\n').filter(Boolean);
    for (const l of lines) t.regex(l, /^[a-f0-9]{64} (created|running|exited)$/, step);
    const ids = lines.map((l) => l.split(' ')[0]);
    seen.push(...ids);
    if (ids.length) t.is((await skiff(['rm', '-f', ...ids])).exitCode, 0, step);
    t.is((await skiff(['ps', '-aq'])).stdout, '', step);
    t.deepEqual(leftovers(skiff.root, seen), [], step);
    t.not((await skiff(['images', '-q', 'busybox'])).stdout, '', `${step}: the image is whole`);
  }
  // And the engine still works.
  const ok = await skiff(['run', '--rm', 'busybox', 'true']);
  t.is(ok.exitCode, 0, ok.stderr);
});

test.serial.skip('rm -f killed at each step of the release: rm -f again leaves nothing', async (t) => {
  const skiff = await sb.engine();
  const seen: string[] = [];
  for (const step of RM_STEPS) {
    const c = await skiff(['run', '-d', '-p', '127.0.0.1::80', 'busybox', 'sleep', '100']);
    t.is(c.exitCode, 0, c.stderr);
    seen.push(c.stdout);
    t.is(await killedAt(skiff.root, step, ['rm', '-f', c.stdout]), 'SIGKILL', `${step}: the step was reached`);
    const ps = await skiff(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}']);
    t.is(ps.exitCode, 0, `${step}: ${ps.stderr}`);
    if (ps.stdout) {
      t.regex(ps.stdout, /^[a-f0-9]{64} (created|running|exited)$/, step);
      t.is((await skiff(['rm', '-f', c.stdout])).exitCode, 0, step);
    }
    t.deepEqual(leftovers(skiff.root, seen), [], step);
  }
});
