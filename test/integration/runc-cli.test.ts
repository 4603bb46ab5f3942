// runc's command-line conventions that engines and scripts rely on:
// help and version layout, --debug lines, exit 255 from a failed exec,
// kill 0 / kill --all, run --keep, ps options, update's flags, the default
// spec, and the checkpoint/restore answer without a working criu.
import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, Sandbox, cgroupExists, cgroupExpected, cgroupRead } from '../helpers.js';

const sb = new Sandbox('runccli');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('help and version read as runc\'s do', async (t) => {
  const help = await sb.run(['--help']);
  t.is(help.exitCode, 0);
  t.regex(help.stdout, /^NAME:\n {3}skiff-runtime - Open Container Initiative runtime\n\nUSAGE:\n/);
  t.regex(help.stdout, /\nCOMMANDS:\n(.*\n)* {3}checkpoint +checkpoint a running container/);
  const exec = await sb.run(['exec', '-h']);
  t.regex(exec.stdout, /^NAME:\n {3}skiff-runtime exec - /);
  t.regex(exec.stdout, /\nOPTIONS:\n(.*\n)* {3}--ignore-paused +/);
  const foo = await sb.run(['foo', '-h']);
  t.not(foo.exitCode, 0);
  t.regex(foo.stderr, /No help topic for 'foo'/);
  const v = (await sb.run(['--version'])).stdout.split('\n');
  t.regex(v[0], /^skiff-runtime version \d+\.\d+\.\d+$/);
  t.regex(v[1], /^commit: /);
  t.regex(v[2], /^spec: \d+\.\d+\.\d+$/);
});

test('installed as runc (a link of that name), it says runc; by its own name again, skiff-runtime', async (t) => {
  const link = join(sb.dir, 'runc');
  symlinkSync(CLI, link);
  const v = await execa(link, ['--version'], { reject: false });
  t.regex(v.stdout.split('\n')[0], /^runc version \d+\.\d+\.\d+$/);
  t.regex((await execa(link, ['--help'], { reject: false })).stdout, /^NAME:\n {3}runc - Open Container Initiative runtime\n/);
  // A warm worker that served the link serves the plain name next: the name is per command.
  t.regex((await sb.run(['--version'])).stdout, /^skiff-runtime version /);
});

test('--debug writes level=debug lines to stderr', async (t) => {
  const r = await sb.run(['--debug', 'run', '-b', sb.bundle((s) => { s.process!.args = ['true']; }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /^time="[^"]+" level=debug msg="plan: pivot_root ?"$/m);
});

test('a failed exec exits 255; the process\'s own status otherwise', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  t.is((await sb.run(['exec', id, 'sh', '-c', 'exit 3'])).exitCode, 3);
  t.is((await sb.run(['exec', id, '/no/such/program'])).exitCode, 255);
  t.is((await sb.run(['exec', 'no-such-container', 'true'])).exitCode, 255);
  await sb.run(['delete', '-f', id]);
});

test('kill 0 checks the container; kill --all works on a stopped one', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  t.is((await sb.run(['kill', id, '0'])).exitCode, 0);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'running', 'signal 0 sends nothing');
  await sb.run(['kill', id, 'KILL']);
  for (let i = 0; i < 100 && JSON.parse((await sb.run(['state', id])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
  t.regex((await sb.run(['kill', id, '0'])).stderr, /container not running$/);
  t.is((await sb.run(['kill', '--all', id, '0'])).exitCode, 0);
  await sb.run(['delete', id]);
});

test('run --keep leaves the stopped container and its cgroup until delete', async (t) => {
  const id = sb.id();
  const r = await sb.run(['run', '--keep', '-b', sb.bundle((s) => { s.process!.args = ['true']; }), id]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'stopped');
  t.true(cgroupExists('pids', id));
  t.is((await sb.run(['delete', id])).exitCode, 0);
  t.false(cgroupExists('pids', id));
  t.not((await sb.run(['state', id])).exitCode, 0);
});

test('ps passes its options to ps(1)', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  const r = await sb.run(['ps', id, '-e', '-x']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout.split('\n')[0], /^\s*PID\s+TTY\s+STAT\s+TIME\s+COMMAND$/);
  t.regex(r.stdout.split('\n')[1], /sleep 60/);
  await sb.run(['delete', '-f', id]);
});

test('update takes runc\'s flags (--cpu-share, --cpu-rt-*, obsolete --kernel-memory)', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  const r = await sb.run(['update', '--cpu-share', '333', '--memory', '64M', id]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(cgroupRead(id, 'cpuShares'), cgroupExpected('cpuShares', 333));
  t.is(cgroupRead(id, 'memoryLimit'), String(64 * 1024 * 1024));
  const km = await sb.run(['update', '--kernel-memory', '10M', id]);
  t.is(km.exitCode, 0, km.stderr);
  t.regex(km.stderr, /kernel memory settings are ignored/);
  t.regex((await sb.run(['update', '--l3-cache-schema', 'L3:0=f', id])).stderr, /Intel RDT\/CAT is not supported/);
  await sb.run(['delete', '-f', id]);
});

test('spec writes runc\'s default config, which a cgroup namespace can be added to', async (t) => {
  const dir = mkdtempSync(join(sb.dir, 'spec-'));
  t.is((await sb.run(['spec', '-b', dir])).exitCode, 0);
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  t.deepEqual(spec.linux.namespaces.map((n: { type: string }) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount']);
});

test('checkpoint and restore say why they cannot run', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  const c = await sb.run(['checkpoint', '--image-path', join(sb.dir, 'img'), id]);
  t.is(c.exitCode, 1);
  t.regex(c.stderr, /checkpoint: (it needs criu, which is not installed|criu cannot work on this kernel|checkpoint\/restore with criu is not implemented)/);
  t.regex((await sb.run(['checkpoint', '--parent-path', '/abs', id])).stderr, /--parent-path \/abs must be relative to --image-path$/);
  t.regex((await sb.run(['restore', id])).stderr, /restore: /);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'running', 'the container is untouched');
  await sb.run(['delete', '-f', id]);
});
