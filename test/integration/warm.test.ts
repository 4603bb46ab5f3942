// The warm path: bin/skiff and bin/skiff-runtime (native launchers) hand
// their command to `skiff serve`'s warm service when it answers for the
// same build, and otherwise run it themselves. Checked here: the hand-off
// really happens, the container's init stays in the caller's process tree
// (a subreaper caller becomes its parent, as containerd's shim needs), exit
// codes and signals pass through, and a service that is missing, hung, of
// another build or killed mid-command never hangs a command.
// (The rest of the integration suite also runs through a warm service:
// `make test-warm`.)
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI, ENGINE, Sandbox } from '../helpers.js';
import { encodeMessage } from '../../src/runtime/protocol.js';

const sb = new Sandbox('warm');
const socket = join(sb.dir, 'cli.sock');
// Every CLI this file runs (and Sandbox.run's) goes through this file's service.
process.env.SKIFF_SERVICE_SOCKET = socket;
const env = { ...process.env };
let service: ResultPromise | undefined;
let serviceLog = '';

test.serial.before(async () => {
  service = execa(ENGINE, ['-D', '--root', join(sb.dir, 'engine'), 'serve', '--warm-workers', '2', '-H', `unix://${join(sb.dir, 'api.sock')}`], { env, reject: false, stdin: 'ignore' });
  service.stderr!.on('data', (c: Buffer) => { serviceLog += c.toString(); });
  for (let i = 0; i < 100 && !/warm service listening/.test(serviceLog); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/warm service listening/.test(serviceLog)) throw new Error(`skiff serve did not start: ${serviceLog}`);
});

test.after.always(async () => {
  service?.kill('SIGTERM');
  await service;
  const left = await sb.cleanup();
  if (left.length) throw new Error(`left behind: ${left.join(', ')}`);
});

/** Hand-offs the service logged since `from` (its -D log). */
const handoffs = (from: number) => (serviceLog.slice(from).match(/warm: launcher \d+ handed to worker \d+/g) ?? []).length;

/** Runs a CLI with the test's service socket (or another environment). */
function cli(args: string[], o: { env?: NodeJS.ProcessEnv; program?: string; timeout?: number } = {}) {
  return execa(o.program ?? CLI, args, { env: o.env ?? env, reject: false, timeout: o.timeout ?? 30_000, stdin: 'ignore' });
}

const sleepBundle = (seconds: number) => sb.bundle((s) => { s.process!.args = ['sleep', String(seconds)]; });

test.serial('commands of both CLIs are handed to the service and behave as cold ones', async (t) => {
  const mark = serviceLog.length;
  const version = await cli(['--version']);
  t.is(version.exitCode, 0);
  t.regex(version.stdout, /0\.1\.0/);
  const engine = await cli(['--root', join(sb.dir, 'engine'), 'ps', '-a'], { program: ENGINE });
  t.is(engine.exitCode, 0, engine.stderr);
  t.regex(engine.stdout, /^CONTAINER ID/);
  // A usage error: the same code and sentence as the cold CLI gives.
  const bad = await cli(['--root', join(sb.dir, 'engine'), 'no-such-command'], { program: ENGINE });
  const coldBad = await cli(['--root', join(sb.dir, 'engine'), 'no-such-command'], { program: ENGINE, env: { ...process.env, SKIFF_SERVICE_SOCKET: join(sb.dir, 'none.sock') } });
  t.is(bad.exitCode, coldBad.exitCode);
  t.is(bad.stderr, coldBad.stderr);
  t.is(handoffs(mark), 3, serviceLog.slice(mark));
});

test.serial('a skiff run without -i gives its worker back: no worker ends after it', async (t) => {
  const skiff = await sb.engine();
  const workers: number[] = [];
  for (let i = 0; i < 2; i++) {
    const mark = serviceLog.length;
    const r = await skiff(['run', '--rm', '--network', 'none', 'busybox', 'true']);
    t.is(r.exitCode, 0, r.stderr);
    // The worker's "ending" line comes after the command's exit: the next hand-off shows which worker served.
    const served = /handed to worker (\d+)/.exec(serviceLog.slice(mark));
    t.truthy(served, serviceLog.slice(mark));
    workers.push(Number(served![1]));
  }
  // Two hand-offs, no worker ended: a run made the process's stdin, which a worker cannot give back.
  t.notRegex(serviceLog, /ends after its command: the command used its stdin/);
  const again = await skiff(['run', '--rm', '--network', 'none', 'busybox', 'true']);
  t.is(again.exitCode, 0, again.stderr);
  t.true(workers.length === 2 && workers.every((w) => w > 0));
});

test.serial('the init stays in the caller\'s tree: a subreaper caller becomes its parent', async (t) => {
  const prog = join(sb.dir, 'subreaper');
  // A caller like containerd's shim: a child subreaper that runs `create`
  // and then (still alive, as the shim is) reads who the init's parent is.
  writeFileSync(`${prog}.c`, `
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t c = fork();
  if (c == 0) { execv(argv[2], argv + 2); _exit(127); }
  int st, init = 0, ppid = 0;
  waitpid(c, &st, 0);
  FILE *f = fopen(argv[1], "r");
  if (f) { if (fscanf(f, "%d", &init) != 1) init = 0; fclose(f); }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", init);
  f = fopen(path, "r");
  if (f) { if (fscanf(f, "%*d (%*[^)]) %*c %d", &ppid) != 1) ppid = 0; fclose(f); }
  printf("%d %d %d\\n", getpid(), WIFEXITED(st) ? WEXITSTATUS(st) : 128, ppid);
  return 0;
}`);
  await execa('cc', ['-o', prog, `${prog}.c`]);
  const id = sb.id();
  const pidFile = join(sb.dir, `${id}.pid`);
  const mark = serviceLog.length;
  // Files, not pipes, for stdio: the created init keeps them open.
  const r = await sb.run(['--root', sb.root, 'create', '-b', sleepBundle(60), '--pid-file', pidFile, id], { command: [prog, pidFile, CLI] });
  t.is(handoffs(mark), 1, 'create went through the warm service');
  const [subreaper, code, ppid] = r.stdout.trim().split(' ').map(Number);
  t.is(code, 0, r.stderr);
  t.true(Number(readFileSync(pidFile, 'utf8')) > 0);
  t.is(ppid, subreaper, 'the init was reparented to the subreaper that called create');
  t.is((await cli(['--root', sb.root, 'delete', '--force', id])).exitCode, 0);
});

test.serial('run passes the container\'s exit code; exec and signals pass through', async (t) => {
  const exit = await cli(['--root', sb.root, 'run', '-b', sb.bundle((s) => { s.process!.args = ['sh', '-c', 'echo out; echo err >&2; exit 3']; }), sb.id()]);
  t.is(exit.exitCode, 3);
  t.is(exit.stdout, 'out');
  t.is(exit.stderr, 'err');
  const id = sb.id();
  t.is((await sb.run(['--root', sb.root, 'run', '-d', '-b', sleepBundle(60), id], { command: [CLI] })).exitCode, 0);
  const ex = await cli(['--root', sb.root, 'exec', id, 'sh', '-c', 'echo in; exit 4']);
  t.is(ex.exitCode, 4);
  t.is(ex.stdout, 'in');
  // SIGTERM to the launcher reaches the foreground container (runc's signal proxy).
  const fg = cli(['--root', sb.root, 'run', '-b', sb.bundle((s) => { s.process!.args = ['sh', '-c', 'trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done']; }), sb.id()]);
  await new Promise<void>((resolve) => fg.stdout!.on('data', (c: Buffer) => { if (/ready/.test(c.toString())) resolve(); }));
  fg.kill('SIGTERM');
  t.is((await fg).exitCode, 7);
  t.is((await cli(['--root', sb.root, 'delete', '--force', id])).exitCode, 0);
});

test.serial('no service, a hung one, or one of another build: the command runs cold, and --debug says why once', async (t) => {
  // A stale socket file, as a killed service leaves it: bound, nobody listening.
  const stale = join(sb.dir, 'stale.sock');
  await execa('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`]);
  const r1 = await cli(['--debug', '--version'], { env: { ...process.env, SKIFF_SERVICE_SOCKET: stale } });
  t.is(r1.exitCode, 0);
  t.regex(r1.stderr, /warm service not used: connect .*stale\.sock: ECONNREFUSED/);

  // A service that accepts and never answers: the hand-off times out (2 s), not the command.
  const hungPath = join(sb.dir, 'hung.sock');
  const hung = createServer(() => undefined).listen(hungPath);
  await new Promise((r) => hung.once('listening', r));
  const started = Date.now();
  const r2 = await cli(['--debug', '--version'], { env: { ...process.env, SKIFF_SERVICE_SOCKET: hungPath } });
  t.is(r2.exitCode, 0);
  t.true(Date.now() - started < 10_000);
  t.is((r2.stderr.match(/warm service not used: no answer from the service in time/g) ?? []).length, 1, r2.stderr);
  hung.close();

  // One that speaks the protocol but loaded another bundle.
  const otherPath = join(sb.dir, 'other.sock');
  const other = createServer((s) => s.end(encodeMessage('WELCOME', ['skiff-warm-1', 'skiff=1-2-3', 'skiff-runtime=1-2-3']))).listen(otherPath);
  await new Promise((r) => other.once('listening', r));
  const r3 = await cli(['--debug', '--version'], { env: { ...process.env, SKIFF_SERVICE_SOCKET: otherPath } });
  t.is(r3.exitCode, 0);
  t.regex(r3.stderr, /warm service not used: the service runs another build/);
  other.close();
});

test.serial('only root: another uid is refused by SO_PEERCRED and runs its command itself', async (t) => {
  const mark = serviceLog.length;
  // Past the file modes (the sandbox dir is 0700, the socket 0600), to reach the credential check.
  chmodSync(sb.dir, 0o711);
  chmodSync(socket, 0o666);
  try {
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', CLI, '--version'], { env, reject: false });
    t.is(r.exitCode, 0, r.stderr);
    t.regex(serviceLog.slice(mark), /refused a launcher of uid 65534/);
    t.is(handoffs(mark), 0);
  } finally {
    chmodSync(socket, 0o600);
    chmodSync(sb.dir, 0o700);
  }
});

test.serial('a worker killed mid-command: the launcher says so and exits; the container can be deleted', async (t) => {
  const id = sb.id();
  const mark = serviceLog.length;
  const fg = cli(['--root', sb.root, 'run', '-b', sb.bundle((s) => { s.process!.args = ['sh', '-c', 'echo ready; sleep 8']; }), id]);
  await new Promise<void>((resolve) => fg.stdout!.on('data', (c: Buffer) => { if (/ready/.test(c.toString())) resolve(); }));
  const worker = Number(/handed to worker (\d+)/.exec(serviceLog.slice(mark))![1]);
  process.kill(worker, 'SIGKILL');
  const r = await fg;
  t.is(r.exitCode, 137);
  t.regex(r.stderr, /the warm service ended before the command did/);
  // What a killed CLI leaves: a container that delete --force removes.
  t.is((await cli(['--root', sb.root, 'delete', '--force', id])).exitCode, 0);
  t.false(existsSync(join(sb.root, id)));
});
