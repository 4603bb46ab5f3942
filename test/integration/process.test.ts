// The process section from inside: user, groups, cwd, env, umask, rlimits,
// oom_score_adj, no_new_privs, and which fds reach the container.
import test from 'ava';
import { execa, type Options } from 'execa';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, Sandbox } from '../helpers.js';

const sb = new Sandbox('proc');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('user, additional groups, cwd, env and umask', async (t) => {
  const p = await sb.probe(t, (s) => {
    s.process!.user = { uid: 1000, gid: 1001, additionalGids: [5, 2000], umask: 0o027 };
    s.process!.cwd = '/tmp';
    s.process!.env = ['PATH=/bin', 'GREETING=hello world'];
  });
  t.deepEqual(p.uid, [1000, 1000, 1000]);
  t.deepEqual(p.gid, [1001, 1001, 1001]);
  t.deepEqual(p.groups, [5, 2000]);
  t.is(p.cwd, '/tmp');
  t.deepEqual(p.env, ['PATH=/bin', 'GREETING=hello world']);
  t.is(p.umask, 0o027);
  // A non-root user ends with no capabilities (capabilities(7), setuid rules).
  t.is(p.capEff, '0000000000000000');
});

test('a cwd that does not exist is created? no: it is an error naming it', async (t) => {
  const r = await sb.run(['create', '-b', sb.bundle((s) => { s.process!.cwd = '/no/such/dir'; }), sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /: chdir \/no\/such\/dir: ENOENT$/);
});

test('rlimits, oom_score_adj and no_new_privs', async (t) => {
  const p = await sb.probe(t, (s) => {
    s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1000 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }];
    s.process!.oomScoreAdj = 500; // raising needs no privilege; lowering needs CAP_SYS_RESOURCE
    s.process!.noNewPrivileges = true;
  });
  t.deepEqual(p.rlimits.RLIMIT_NOFILE, [512, 1000]);
  t.deepEqual(p.rlimits.RLIMIT_CORE, [0, 0]);
  t.is(p.oomScoreAdj, 500);
  t.is(p.noNewPrivs, 1);
  const without = await sb.probe(t, (s) => { s.process!.noNewPrivileges = false; });
  t.is(without.noNewPrivs, 0);
});

test('only stdio reaches the container: no runtime fds leak (CVE-2024-21626 class)', async (t) => {
  const p = await sb.probe(t);
  t.deepEqual(p.fds.map((f) => f.fd).sort(), [0, 1, 2]);
});

test('--preserve-fds passes fds 3.. through unchanged', async (t) => {
  const extra = join(sb.dir, 'extra-fd.txt');
  const out = join(sb.dir, 'preserve-out');
  const fd3 = openSync(extra, 'w');
  const outFd = openSync(out, 'w');
  const id = sb.id();
  const options = { reject: false, stdio: ['ignore', outFd, 'pipe', fd3] } as unknown as Options;
  const r = await execa(CLI, ['--root', sb.root, 'run', '--preserve-fds', '1', '-b', sb.bundle((s) => {
    s.process!.args = ['sh', '-c', 'echo through-fd-3 >&3; probe'];
  }), id], options);
  closeSync(fd3);
  closeSync(outFd);
  t.is(r.exitCode, 0, String(r.stderr));
  t.is(readFileSync(extra, 'utf8'), 'through-fd-3\n');
  const p = JSON.parse(readFileSync(out, 'utf8'));
  t.deepEqual(p.fds.map((f: { fd: number }) => f.fd).sort(), [0, 1, 2, 3]);
});

test('a cwd reached through a leaked fd is refused (CVE-2024-21626)', async (t) => {
  // In runc 1.1.11 fd 7 was a host cgroupfs dir; any /proc/self/fd/N cwd
  // must fail to resolve inside the container.
  for (const fd of [3, 4, 5, 6, 7, 8]) {
    const r = await sb.run(['create', '-b', sb.bundle((s) => { s.process!.cwd = `/proc/self/fd/${fd}`; }), sb.id()]);
    t.is(r.exitCode, 1, `cwd /proc/self/fd/${fd} must not be accepted`);
    t.regex(r.stderr, new RegExp(`(chdir|getcwd) /proc/self/fd/${fd}: E[A-Z]+$`));
  }
});
