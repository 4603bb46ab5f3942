// The engine's container workflows of the seed notes, for real on the
// busybox fixture image: run (foreground, -d, --rm, -it through a real
// pseudo-terminal), exec, logs, stop/start/restart, kill, attach/detach,
// rm -f, exit codes, restart policies, --init, and what happens when the
// monitor or the CLI is killed. Every container runs under a real monitor.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { ENGINE, Sandbox, cgroupProcs, cgroupRead } from '../helpers.js';

const sb = new Sandbox('erun');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const engine = () => sb.engine();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('run: output, exit code, --rm leaves nothing; failures give 125/126/127', async (t) => {
  const skiff = await engine();
  const hello = await skiff(['run', '--rm', '-e', 'WHO=world', 'busybox', 'sh', '-c', 'echo hello $WHO; echo oops >&2; exit 7']);
  t.is(hello.exitCode, 7, hello.stderr);
  t.is(hello.stdout, 'hello world');
  t.regex(hello.stderr, /(^|\n)oops$/, 'stderr ends with the container\'s (a first run may note the default network\'s subnet)');
  t.is((await skiff(['ps', '-aq'])).stdout, '', '--rm removed it');

  const missing = await skiff(['run', 'busybox', 'nosuchcommand']);
  t.is(missing.exitCode, 127);
  t.regex(missing.stderr, /nosuchcommand.*ENOENT/);
  const notExecutable = await skiff(['run', 'busybox', '/etc/passwd']);
  t.is(notExecutable.exitCode, 126);
  const badFlag = await skiff(['run', '--restart', 'sometimes', 'busybox', 'true']);
  t.is(badFlag.exitCode, 125);
  t.regex(badFlag.stderr, /invalid restart policy "sometimes"/);
  t.regex((await skiff(['run', '--rm', '--restart', 'always', 'busybox', 'true'])).stderr, /Conflicting options: --restart and --rm/);
  const noImage = await skiff(['run', 'localhost:1/none', 'true']);
  t.is(noImage.exitCode, 125);
  // The failed starts stay as Created with the reason (docker ps -a shows them too).
  t.is((await skiff(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', missing.stderr.match(/"([a-z_0-9]+)"/)![1]])).stdout, 'created 127');
});

test('the seed workflow: run -it, hostname, detach with Ctrl-P Ctrl-Q, ps Up, attach, exit, Exited (0)', async (t) => {
  const skiff = await engine();
  const run = await sb.pty(['run', '-it', '--name', 'box', 'busybox', 'sh'], [
    { expect: '/ # ' },
    { send: 'hostname\r' },
    { expect: '\\n([a-f0-9]{12})\\r' },
    { send: 'echo $TERM\r' },
    { expect: 'xterm' },
    { send: '\x10\x11' },
    { expect: 'read escape sequence' },
  ], skiff.root);
  t.is(run.failedStep, null, run.transcript);
  t.is(run.exitCode, 0, run.transcript);
  const id = (await skiff(['inspect', '-f', '{{.Id}}', 'box'])).stdout;
  t.true(run.transcript.includes(`\n${id.slice(0, 12)}\r`), 'hostname is the short ID');
  t.regex((await skiff(['ps'])).stdout, /"sh"\s+.*\s+Up .*\s+box$/m);
  // exec -it: a second shell with its own terminal in the same container.
  const exec = await sb.pty(['exec', '-it', 'box', 'sh'], [
    { expect: '/ # ' },
    { send: 'tty; echo exec-$((2+3))\r' },
    { expect: '/dev/pts/\\d+\\s+exec-5' },
    { send: 'exit 4\r' },
  ], skiff.root);
  t.is(exec.failedStep, null, exec.transcript);
  t.is(exec.exitCode, 4, exec.transcript);

  const attach = await sb.pty(['attach', 'box'], [
    { send: 'echo attached-$((6*7))\r' },
    { expect: 'attached-42' },
    { send: 'exit\r' },
  ], skiff.root);
  t.is(attach.failedStep, null, attach.transcript);
  t.is(attach.exitCode, 0);
  t.regex((await skiff(['ps', '-a'])).stdout, /Exited \(0\) .*box$/m);
  // The TTY's output went to the json-file log too.
  const logs = await skiff(['logs', 'box']);
  t.regex(logs.stdout, /attached-42/);
});

test('run -it: Ctrl-D ends the shell; -i without -t pipes stdin', async (t) => {
  const skiff = await engine();
  const r = await sb.pty(['run', '-it', '--rm', 'busybox', 'sh'], [{ expect: '/ # ' }, { send: 'exit 3\r' }], skiff.root);
  t.is(r.exitCode, 3, r.transcript);
  const d = await sb.pty(['run', '-it', '--rm', 'busybox', 'sh'], [{ expect: '/ # ' }, { send: '\x04' }], skiff.root);
  t.is(d.exitCode, 0, d.transcript);
  const piped = await sb.run(['-c', `printf 'one\\ntwo\\n' | ${ENGINE} --root ${skiff.root} run -i --rm busybox sort -r`], { command: ['sh'] });
  t.is(piped.stdout, 'two\none');
  t.is((await skiff(['ps', '-aq'])).stdout, '');
});

test('-d, exec, logs (-f, --tail, -t), top, stop/start/restart of several, rm -f', async (t) => {
  const skiff = await engine();
  const script = 'i=0; while true; do echo out $i; echo err $i >&2; i=$((i+1)); sleep 0.1; done';
  const a = await skiff(['run', '-d', '--name', 'a', 'busybox', 'sh', '-c', script]);
  t.is(a.exitCode, 0, a.stderr);
  t.regex(a.stdout, /^[a-f0-9]{64}$/);
  t.is((await skiff(['run', '-d', '--name', 'b', '--stop-timeout', '1', 'busybox', 'sleep', '1000'])).exitCode, 0);

  const exec = await skiff(['exec', '-e', 'X=y', '-w', '/etc', 'a', 'sh', '-c', 'echo $X $(pwd) $(hostname); exit 4']);
  t.is(exec.exitCode, 4);
  t.is(exec.stdout, `y /etc ${a.stdout.slice(0, 12)}`);
  t.is((await skiff(['exec', 'a', 'nosuch'])).exitCode, 127);
  t.is((await skiff(['exec', '-u', 'nobody', 'a', 'id', '-u'])).stdout, '65534');
  const detached = await skiff(['exec', '-d', 'a', 'sh', '-c', 'echo from-exec > /tmp/mark']);
  t.is(detached.exitCode, 0);
  await until('the detached exec', async () => (await skiff(['exec', 'a', 'cat', '/tmp/mark'])).stdout === 'from-exec');

  await until('some output', async () => (await skiff(['logs', 'a'])).stdout.split('\n').length >= 3);
  const logs = await skiff(['logs', 'a']);
  t.regex(logs.stdout, /^out 0\nout 1\nout 2/);
  t.regex(logs.stderr, /^err 0\nerr 1/);
  const tail = await skiff(['logs', '--tail', '1', '-t', 'a']);
  // The last line of either stream, with its time.
  t.regex(tail.stdout + tail.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err) \d+$/);
  // -f follows until the container stops.
  const follow = sb.skiff(['logs', '-f', 'a'], skiff.root);
  await sleep(600);
  const top = await skiff(['top', 'a']);
  t.regex(top.stdout, /^UID\s+PID\s+PPID/);
  t.regex(top.stdout, /sh -c i=0/);

  const stopped = await skiff(['stop', '-t', '1', 'a', 'b']);
  t.is(stopped.stdout, 'a\nb');
  const followed = await follow;
  t.is(followed.exitCode, 0);
  const n = followed.stdout.split('\n').length;
  t.true(n > logs.stdout.split('\n').length, `logs -f saw more lines (${n})`);
  const ps = (await skiff(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout.split('\n').sort();
  t.regex(ps[0], /^a Exited \(137\) /);
  t.regex(ps[1], /^b Exited \(137\) /);

  t.is((await skiff(['start', 'a', 'b'])).stdout, 'a\nb');
  t.is((await skiff(['ps', '-q'])).stdout.split('\n').length, 2);
  t.is((await skiff(['restart', '-t', '0', 'b'])).stdout, 'b');
  t.regex((await skiff(['ps', '-f', 'name=b'])).stdout, /Up /);
  const refused = await skiff(['rm', 'a']);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /cannot remove container "\/a": container is running: stop the container before removing or force remove/);
  t.is((await skiff(['rm', '-f', 'a', 'b'])).stdout, 'a\nb');
  t.is((await skiff(['ps', '-aq'])).stdout, '');
});

test('many containers in one command: start, stop and rm -f of 20 work on them in parallel, print each in the order given, and leave nothing', async (t) => {
  const skiff = await engine();
  const names = Array.from({ length: 20 }, (_, i) => `many${i}`);
  t.teardown(async () => { await skiff(['rm', '-f', ...names]); });
  for (const name of names) t.is((await skiff(['create', '--name', name, '--network', 'none', 'busybox', 'sleep', '1000'])).exitCode, 0);
  const start = await skiff(['start', ...names]);
  t.is(start.exitCode, 0, start.stderr);
  t.deepEqual(start.stdout.split('\n'), names);
  t.is((await skiff(['ps', '-q'])).stdout.split('\n').filter(Boolean).length, 20);
  // A name that is not there fails alone, and the others go on (docker's Error response line).
  const stop = await skiff(['stop', '-t', '0', names[0], 'nosuch', names[1]]);
  t.is(stop.exitCode, 1);
  t.is(stop.stdout, `${names[0]}\n${names[1]}`);
  t.regex(stop.stderr, /^Error response from daemon: No such container: nosuch$/m);
  const rm = await skiff(['rm', '-f', ...names]);
  t.is(rm.exitCode, 0, rm.stderr);
  t.deepEqual(rm.stdout.split('\n'), names);
  t.is((await skiff(['ps', '-aq'])).stdout, '', 'one rm -f removed all 20');
});

test('run flags --env-file, --entrypoint, -h, -w, -u, --stop-signal, --detach-keys; start -a -i; kill -s; logs --since/--until; grouped forms; version, --help', async (t) => {
  const skiff = await engine();
  const envFile = join(sb.dir, 'app.env');
  writeFileSync(envFile, '# settings\nA=1\n\nFROM_HOST\nB=two words\n');
  const flags = await execa(ENGINE, ['--root', skiff.root, 'run', '--rm', '--env-file', envFile, '-h', 'box1', '-w', '/tmp', '-u', '1000:1000',
    '--entrypoint', 'sh', 'busybox', '-c', 'echo "$A|$B|$FROM_HOST|$(hostname)|$(pwd)|$(id -u):$(id -g)"'], { env: { FROM_HOST: 'inherited' }, reject: false });
  t.is(flags.stdout, '1|two words|inherited|box1|/tmp|1000:1000', flags.stderr);
  t.regex((await skiff(['run', '--rm', '--env-file', '/no/such.env', 'busybox', 'true'])).stderr, /\/no\/such\.env/);

  // --stop-signal: stop sends it; the shell's trap decides the exit code. kill -s sends any signal.
  const trap = 'trap "echo got-hup" HUP; trap "echo got-usr1; exit 5" USR1; echo ready; while true; do sleep 0.1; done';
  t.is((await skiff(['run', '-d', '--name', 'sig', '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', trap])).exitCode, 0);
  await until('the trap set', async () => (await skiff(['logs', 'sig'])).stdout.includes('ready'));
  t.is((await skiff(['kill', '-s', 'HUP', 'sig'])).exitCode, 0);
  await until('HUP handled', async () => (await skiff(['logs', 'sig'])).stdout.includes('got-hup'));
  t.regex((await skiff(['container', 'ls', '--format', '{{.Names}} {{.State}}'])).stdout, /^sig running$/m, 'HUP does not stop it; container ls = ps');
  t.is((await skiff(['stop', 'sig'])).exitCode, 0);
  t.is((await skiff(['inspect', '-f', '{{.State.ExitCode}}', 'sig'])).stdout, '5', 'stopped by its own USR1 trap, not SIGKILL');

  // logs --since/--until: RFC 3339 times and durations.
  const started = (await skiff(['inspect', '-f', '{{.State.StartedAt}}', 'sig'])).stdout;
  t.regex((await skiff(['logs', '--since', started, 'sig'])).stdout, /ready[\s\S]*got-usr1/);
  t.is((await skiff(['logs', '--until', '2000-01-01T00:00:00Z', 'sig'])).stdout, '');
  t.is((await skiff(['logs', '--since', '1h', 'sig'])).stdout.split('\n')[0], 'ready');
  t.is((await skiff(['logs', '--since', new Date(Date.now() + 60_000).toISOString(), 'sig'])).stdout, '');
  t.regex((await skiff(['logs', '--since', 'yesterday', 'sig'])).stderr, /invalid --since "yesterday"/);

  // start -a -i: attached to a created container, stdin through, its exit code back.
  t.is((await skiff(['create', '-i', '--name', 'upper', 'busybox', 'sh', '-c', 'tr a-z A-Z; exit 3'])).exitCode, 0);
  const started2 = await execa(ENGINE, ['--root', skiff.root, 'start', '-a', '-i', 'upper'], { input: 'hello\n', reject: false });
  t.is(started2.stdout, 'HELLO', started2.stderr);
  t.is(started2.exitCode, 3);
  const plain = await skiff(['create', '--name', 'plain', 'busybox', 'echo', 'attached']);
  t.is(plain.exitCode, 0);
  const attached = await skiff(['start', '-a', 'plain']);
  t.is(attached.stdout, 'attached');

  // --detach-keys without a TTY: the sequence leaves the container running.
  const detach = await execa(ENGINE, ['--root', skiff.root, 'run', '-i', '--name', 'keys', '--detach-keys', 'ctrl-a,d', 'busybox', 'cat'],
    { input: 'kept\n\x01d', reject: false });
  t.is(detach.exitCode, 0, detach.stderr);
  t.regex(detach.stderr, /read escape sequence/);
  t.is((await skiff(['inspect', '-f', '{{.State.Status}}', 'keys'])).stdout, 'running');
  await until('the input reached cat', async () => (await skiff(['logs', 'keys'])).stdout === 'kept');
  t.regex((await skiff(['run', '--detach-keys', 'ctrl-รก', 'busybox', 'true'])).stderr, /invalid detach keys/);

  t.is((await skiff(['version'])).stdout, (await skiff(['-v'])).stdout);
  t.regex((await skiff(['version'])).stdout, /^skiff version \d+\.\d+\.\d+/);
  const help = await skiff(['run', '--help']);
  t.is(help.exitCode, 0);
  t.regex(help.stdout, /Usage: skiff run \[options\] <image> \[command\.\.\.\]/);
  t.regex(help.stdout, /--detach-keys/);
  t.is((await skiff(['rm', '-f', 'sig', 'upper', 'plain', 'keys'])).exitCode, 0);
});

test('a detached container with no foreground program exits at once; wait gives its code', async (t) => {
  const skiff = await engine();
  const c = await skiff(['run', '-d', 'busybox']); // sh with no stdin
  t.is(c.exitCode, 0);
  const wait = await skiff(['wait', c.stdout]);
  t.is(wait.stdout, '0');
  t.regex((await skiff(['ps', '-a'])).stdout, /Exited \(0\)/);
  const seven = await skiff(['run', '-d', 'busybox', 'sh', '-c', 'sleep 0.2; exit 7']);
  t.is((await skiff(['wait', seven.stdout])).stdout, '7');
  await skiff(['container', 'prune', '-f']);
  t.is((await skiff(['ps', '-aq'])).stdout, '');
});

test('restart policies: on-failure:2 restarts twice; always stops for good on stop', async (t) => {
  const skiff = await engine();
  await skiff(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo try; exit 3']);
  await until('two restarts', async () => (await skiff(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky'])).stdout === '2 exited');
  t.is((await skiff(['logs', 'flaky'])).stdout, 'try\ntry\ntry');
  t.is((await skiff(['inspect', '-f', '{{.State.ExitCode}}', 'flaky'])).stdout, '3');

  await skiff(['run', '-d', '--name', 'forever', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3']);
  await until('a restart', async () => Number((await skiff(['inspect', '-f', '{{.RestartCount}}', 'forever'])).stdout) >= 1);
  t.is((await skiff(['stop', '-t', '1', 'forever'])).exitCode, 0);
  const count = (await skiff(['inspect', '-f', '{{.RestartCount}}', 'forever'])).stdout;
  await sleep(800);
  t.is((await skiff(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'forever'])).stdout, `${count} exited`, 'no restart after stop');
  await skiff(['rm', 'flaky', 'forever']);
});

test('killing the monitor marks the container exited with a reason, never a ghost "Up"', async (t) => {
  const skiff = await engine();
  const c = await skiff(['run', '-d', 'busybox', 'sleep', '1000']);
  const monitor = Number((await skiff(['inspect', '-f', '{{.Monitor.Pid}}', c.stdout])).stdout);
  const init = Number((await skiff(['inspect', '-f', '{{.State.Pid}}', c.stdout])).stdout);
  t.true(monitor > 0 && init > 0);
  process.kill(monitor, 'SIGKILL');
  await until('the monitor gone', async () => !existsSync(`/proc/${monitor}/stat`) || readFileSync(`/proc/${monitor}/stat`, 'utf8').includes(') Z'));
  const ps = await skiff(['ps', '-a']);
  t.regex(ps.stdout, /Exited \(137\)/);
  t.regex((await skiff(['inspect', '-f', '{{.State.Error}}', c.stdout])).stdout, /monitor \(pid \d+\) died/);
  t.false(existsSync(`/proc/${init}/stat`) && !readFileSync(`/proc/${init}/stat`, 'utf8').includes(') Z'), 'the init was killed');
  t.is((await skiff(['rm', c.stdout])).exitCode, 0);
});

test('a client waiting to be accepted when the init exits still gets the output and the exit code', async (t) => {
  // The race CI once lost: a short-lived container exits in the same poll
  // round in which its foreground client is still in the accept backlog. A
  // stopped monitor makes that round happen for certain: the client
  // connects, the init exits into a zombie, then the monitor wakes to both.
  const skiff = await engine();
  const signals = join(sb.dir, 'racer-signals');
  mkdirSync(signals);
  const c = await skiff(['run', '-d', '--name', 'racer', '-v', `${signals}:/sig`, 'busybox', 'sh', '-c',
    'while [ ! -e /sig/go ]; do sleep 0.05; done; echo bye; exit 3']);
  t.is(c.exitCode, 0, c.stderr);
  const monitor = Number((await skiff(['inspect', '-f', '{{.Monitor.Pid}}', 'racer'])).stdout);
  const init = Number((await skiff(['inspect', '-f', '{{.State.Pid}}', 'racer'])).stdout);
  const socket = `/run/skiff/${c.stdout}/attach.sock`;
  // The listener and, once a client connects, its not-yet-accepted peer (unix(7)).
  const endpoints = () => readFileSync('/proc/net/unix', 'utf8').split('\n').filter((l) => l.endsWith(` ${socket}`)).length;
  process.kill(monitor, 'SIGSTOP');
  const attach = skiff(['attach', 'racer']);
  try {
    await until('the attach client in the backlog', async () => endpoints() >= 2);
    writeFileSync(join(signals, 'go'), '');
    await until('the init a zombie of the stopped monitor', async () => readFileSync(`/proc/${init}/stat`, 'utf8').includes(') Z'));
  } finally {
    process.kill(monitor, 'SIGCONT');
  }
  const r = await attach;
  t.is(r.stdout, 'bye', r.stderr);
  t.is(r.exitCode, 3, r.stderr);
  await until('the container finished', async () => (await skiff(['ps', '-a', '-f', 'name=racer', '--format', '{{.Status}}'])).stdout.startsWith('Exited (3)'));
  t.is((await skiff(['rm', 'racer'])).exitCode, 0);
});

test('two runs --name x at once: one wins, the other gets Docker\'s Conflict', async (t) => {
  const skiff = await engine();
  const results = await Promise.all([1, 2].map(() => skiff(['run', '-d', '--name', 'x', 'busybox', 'sleep', '100'])));
  t.deepEqual(results.map((r) => r.exitCode).sort(), [0, 125]);
  t.regex(results.find((r) => r.exitCode)!.stderr, /Conflict\. The container name "\/x" is already in use/);
  await skiff(['rm', '-f', 'x']);
});

test('--init reaps and forwards signals: stop ends sleep by SIGTERM (143), not by SIGKILL', async (t) => {
  const skiff = await engine();
  const ps = await skiff(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,args']);
  t.regex(ps.stdout, /^\s*1 \/dev\/init -- ps/m);
  await skiff(['run', '-d', '--init', '--name', 'i', 'busybox', 'sleep', '1000']);
  await skiff(['run', '-d', '--name', 'n', 'busybox', 'sleep', '1000']);
  await skiff(['stop', '-t', '1', 'i', 'n']);
  t.is((await skiff(['inspect', '-f', '{{.State.ExitCode}}', 'i'])).stdout, '143', 'skiff-init forwarded SIGTERM');
  t.is((await skiff(['inspect', '-f', '{{.State.ExitCode}}', 'n'])).stdout, '137', 'a PID 1 without a handler ignores SIGTERM');
  await skiff(['rm', 'i', 'n']);
});

test('security flags: --read-only, --cap-drop, --cap-add, the default seccomp profile, --privileged', async (t) => {
  const skiff = await engine();
  const ro = await skiff(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
  t.not(ro.exitCode, 0);
  t.regex(ro.stderr, /Read-only file system/);
  const chown = await skiff(['run', '--rm', '--cap-drop', 'chown', 'busybox', 'chown', 'nobody', '/tmp']);
  t.regex(chown.stderr, /Operation not permitted/);
  const caps = await skiff(['run', '--rm', '--cap-add', 'NET_ADMIN', 'busybox', 'grep', 'CapEff', '/proc/self/status']);
  t.is(caps.stdout, 'CapEff:\t00000000a80435fb', 'the 14 defaults + NET_ADMIN');
  // A user namespace needs no capability: only seccomp stops it.
  const userns = await skiff(['run', '--rm', 'busybox', 'unshare', '-U', 'true']);
  t.not(userns.exitCode, 0);
  t.regex(userns.stderr, /Operation not permitted/);
  t.is((await skiff(['run', '--rm', '--privileged', 'busybox', 'unshare', '-U', 'true'])).exitCode, 0);
  t.regex((await skiff(['run', '--cap-add', 'BOGUS', 'busybox', 'true'])).stderr, /invalid capability "BOGUS"/);
});

test('resource flags reach the cgroup: -m, --cpus, --cpuset-cpus, --pids-limit', async (t) => {
  const skiff = await engine();
  const c = await skiff(['run', '-d', '-m', '64m', '--cpus', '0.5', '--cpuset-cpus', '0', '--pids-limit', '20', 'busybox', 'sleep', '100']);
  t.is(c.exitCode, 0, c.stderr);
  const cg = `/skiff/${c.stdout}`;
  t.is(cgroupRead(cg, 'memoryLimit'), String(64 * 1024 * 1024));
  t.is(cgroupRead(cg, 'cpuQuota'), '50000');
  t.is(cgroupRead(cg, 'cpusetCpus'), '0');
  t.is(cgroupRead(cg, 'pidsMax'), '20');
  t.regex((await skiff(['run', '-m', '1k', 'busybox', 'true'])).stderr, /Minimum memory limit allowed is 6MB/);
  await skiff(['rm', '-f', c.stdout]);
});

test('skiff killed with SIGKILL during run: ps -a stays coherent and rm -f cleans everything', async (t) => {
  const skiff = await engine();
  const containers = join(skiff.root, 'containers');
  const newest = () => (existsSync(containers) ? readdirSync(containers).filter((d) => /^[a-f0-9]{64}$/.test(d)) : []);
  // Points of a run, each seen from outside: the record, the monitor's
  // sockets, the runtime's state, the init created (its pid file).
  const points: [string, (id: string) => boolean][] = [
    ['record written', () => true],
    ['monitor started', (id) => existsSync(join('/run/skiff', id))],
    ['runtime create begun', (id) => existsSync(join(skiff.root, 'runtime', id))],
    ['init created', (id) => existsSync(join(containers, id, 'init.pid'))],
  ];
  for (const [point, reached] of points) {
    const before = new Set(newest());
    const child = spawn(ENGINE, ['--root', skiff.root, 'run', '-d', 'busybox', 'sleep', '100'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    let done = false;
    let atPoint = false;
    void exited.then(() => { done = true; });
    while (!done) {
      const id = newest().find((d) => !before.has(d));
      if (id && reached(id)) { atPoint = true; break; }
      await sleep(1);
    }
    child.kill('SIGKILL');
    await exited;
    // Else the run ended before the point and nothing was tested.
    t.true(atPoint, `${point}: the kill point was reached`);
    const ps = await skiff(['ps', '-a', '--format', '{{.State}}']);
    t.is(ps.exitCode, 0, `${point}: ${ps.stderr}`);
    for (const state of ps.stdout.split('\n').filter(Boolean)) t.true(['created', 'running', 'exited'].includes(state), `${point}: ${state}`);
  }
  const ids = (await skiff(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  t.true(ids.length >= 3, 'the runs got at least as far as their records');
  t.is((await skiff(['rm', '-f', ...ids])).exitCode, 0);
  t.is((await skiff(['ps', '-aq'])).stdout, '');
  // Nothing of this root is left: no monitor, no mount, no runtime state.
  const mine = sb.leftovers().filter((l) => l.includes(skiff.root + '/') || l.includes(skiff.root + ' '));
  t.deepEqual(mine, []);
  t.deepEqual(existsSync(join(skiff.root, 'runtime')) ? readdirSync(join(skiff.root, 'runtime')) : [], []);
});

test('commit killed while the container is frozen: the next command thaws it; rm -f killed half way: rm -f again cleans', async (t) => {
  const skiff = await engine();
  const c = await skiff(['run', '-d', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1M count=300 2>/dev/null; echo ready; sleep 1000']);
  await until('the big file', async () => (await skiff(['logs', c.stdout])).stdout === 'ready', 60_000);
  const frozen = () => cgroupRead(`/skiff/${c.stdout}`, 'freezerState');
  const commit = spawn(ENGINE, ['--root', skiff.root, 'commit', c.stdout, 'half:done'], { stdio: 'ignore' });
  const committed = new Promise((r) => commit.once('exit', r));
  await until('the container frozen for the commit', async () => frozen() === 'FROZEN', 30_000);
  commit.kill('SIGKILL');
  await committed;
  t.regex((await skiff(['ps'])).stdout, /Up /);
  t.is(frozen(), 'THAWED', 'ps thawed it');
  t.is((await skiff(['exec', c.stdout, 'echo', 'alive'])).stdout, 'alive');
  t.is((await skiff(['images', '-q', 'half'])).stdout, '', 'no half image');

  const rm = spawn(ENGINE, ['--root', skiff.root, 'rm', '-f', c.stdout], { stdio: 'ignore' });
  const removed = new Promise((r) => rm.once('exit', r));
  await until('the init killed', async () => cgroupProcs('pids', `/skiff/${c.stdout}`) === '', 30_000);
  rm.kill('SIGKILL');
  await removed;
  const ps = await skiff(['ps', '-a']);
  t.is(ps.exitCode, 0, ps.stderr);
  const again = await skiff(['rm', '-f', c.stdout]);
  t.true(again.exitCode === 0 || /No such container/.test(again.stderr), again.stderr);
  t.is((await skiff(['ps', '-aq'])).stdout, '');
  const mine = sb.leftovers().filter((l) => l.includes(skiff.root + '/') || l.includes(skiff.root + ' ') || l.includes(c.stdout));
  t.deepEqual(mine, []);
});
