// A warm worker serves many commands, one at a time (src/service/scope.ts):
// the second command in a worker sees nothing of the first (cwd,
// environment, exit code, umask), and a command that leaves something the
// worker cannot take back (an fd, a signal handler, a timer) ends its
// worker, so the next command runs in a fresh one. Through the real
// launcher (bin/skiff-runtime) and service (WarmService), with a probe for
// a CLI (test/warm/probe-worker.ts).
import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';
import { WarmService } from '../../src/service/warm.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-warm-worker-'));
const socket = join(dir, 'cli.sock');
const log: string[] = [];
const service = new WarmService({
  socket, workers: 1, node: process.execPath, log: (l) => log.push(l),
  workerScript: join(projectRoot, 'dist/test/warm/probe-worker.js'),
});

test.before(() => service.start());
test.after.always(() => {
  service.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One probe command through the launcher: its pid and what `show` printed. */
async function probe(what: string, env: Record<string, string> = {}) {
  const r = await execa(join(projectRoot, 'bin/skiff-runtime'), ['--debug', what], {
    cwd: dir, reject: false, timeout: 20_000, stdin: 'ignore',
    env: { SKIFF_SERVICE_SOCKET: socket, PATH: process.env.PATH!, ...env }, extendEnv: false,
  });
  const pid = Number(/pid (\d+)/.exec(r.stdout)?.[1]);
  if (r.exitCode !== 0 || !pid) throw new Error(`probe ${what}: exit ${r.exitCode}: ${r.stdout} ${r.stderr}`);
  const shown = r.stdout.startsWith('{') ? JSON.parse(r.stdout.split('\n')[0]) : undefined;
  return { pid, shown };
}

test.serial('the next command in a worker sees nothing of the one before', async (t) => {
  const clean = await probe('show');
  const dirty = await probe('dirty');
  const after = await probe('show');
  t.is(dirty.pid, clean.pid, 'the worker served the next command');
  t.is(after.pid, dirty.pid, 'the worker served the next command');
  t.deepEqual(after.shown, clean.shown);
  t.like(after.shown, { cwd: dir, leak: null, exitCode: null });
});

for (const what of ['fd', 'signal', 'timer']) {
  test.serial(`a command that leaves ${what === 'fd' ? 'an fd' : `a ${what}`} behind ends its worker`, async (t) => {
    const before = await probe('show');
    const leaving = await probe(what);
    const after = await probe('show');
    t.is(leaving.pid, before.pid);
    t.not(after.pid, leaving.pid, 'the next command ran in a fresh worker');
    t.true(log.some((l) => l.startsWith(`debug: warm: worker ${leaving.pid} ends after its command: the command left`)), log.join('\n'));
    // (A fresh worker has not yet opened what Node opens on first use.)
    t.deepEqual({ ...after.shown, fds: 0 }, { ...before.shown, fds: 0 });
  });
}
