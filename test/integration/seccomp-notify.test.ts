// linux.seccomp.listenerPath: SCMP_ACT_NOTIFY syscalls are answered by an
// agent that receives the filter's listener fd with the container process
// state (runtime-spec config-linux.md). The agent here
// (rootfs-fixtures/seccomp-agent.c) answers every notified syscall with EDOM.
// Also: fds are made close-on-exec before any filter (a profile need not
// allow close_range), and startContainer hooks run under the filter.
import test from 'ava';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';
import type { Spec } from '../../src/runtime/spec.js';

const AGENT = join(process.cwd(), 'rootfs-fixtures/out/seccomp-agent');
const sb = new Sandbox('snotify');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

function notifyMkdir(s: Spec, socket: string, noNewPrivileges: boolean) {
  s.process!.noNewPrivileges = noNewPrivileges;
  s.linux!.seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW', listenerPath: socket, listenerMetadata: 'meta-1',
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
  };
}

async function startAgent(name: string) {
  const socket = join(sb.dir, `${name}.sock`);
  const stateFile = join(sb.dir, `${name}.json`);
  const agent = execa(AGENT, [socket, stateFile], { reject: false });
  await new Promise<void>((resolve) => agent.stdout!.once('data', () => resolve()));
  return { socket, stateFile, agent };
}

for (const noNewPrivileges of [false, true]) {
  test.serial(`run: the agent answers notified syscalls (noNewPrivileges ${noNewPrivileges})`, async (t) => {
    const { socket, stateFile, agent } = await startAgent(`run-${noNewPrivileges}`);
    const id = sb.id();
    const r = await sb.run(['run', '-b', sb.bundle((s) => {
      notifyMkdir(s, socket, noNewPrivileges);
      s.process!.args = ['sh', '-c', 'mkdir /tmp/x; echo rc=$?'];
    }), id]);
    await agent;
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout + r.stderr, /Numerical argument out of domain/, 'EDOM came from the agent');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    t.deepEqual(state.fds, ['seccompFd']);
    t.is(state.metadata, 'meta-1');
    t.is(state.state.id, id);
    t.true(Number.isInteger(state.pid) && state.pid > 1, 'the host pid of the process');
  });
}

test.serial('exec: the exec process gets its own agent connection', async (t) => {
  const init = await startAgent('init');
  const id = sb.id();
  // The init connects to the agent too (its filter has the notify rules).
  const b = sb.bundle((s) => { notifyMkdir(s, init.socket, true); s.process!.args = ['sleep', '60']; });
  t.is((await sb.run(['run', '-d', '-b', b, id])).exitCode, 0);
  // A second agent on the same path takes exec's connection.
  const execAgent = execa(AGENT, [init.socket, join(sb.dir, 'exec.json')], { reject: false });
  await new Promise<void>((resolve) => execAgent.stdout!.once('data', () => resolve()));
  const r = await sb.run(['exec', id, 'sh', '-c', 'mkdir /tmp/y; echo rc=$?']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout + r.stderr, /Numerical argument out of domain/);
  const state = JSON.parse(readFileSync(join(sb.dir, 'exec.json'), 'utf8'));
  t.is(state.state.status, 'running');
  t.is(state.state.id, id);
  await sb.run(['delete', '-f', id]);
  await Promise.all([execAgent, init.agent]);
});

test.serial('no agent listening: create fails and says so', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => notifyMkdir(s, join(sb.dir, 'nobody.sock'), false)), sb.id()]);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /failed to connect with seccomp agent at .*nobody\.sock: ENOENT$/);
});

test.serial('notify rules that would stall the runtime are refused', async (t) => {
  const noPath = await sb.run(['run', '-b', sb.bundle((s) => { notifyMkdir(s, '', false); }), sb.id()]);
  t.regex(noPath.stderr, /linux\.seccomp\.listenerPath is required with SCMP_ACT_NOTIFY rules$/);
  const write = await sb.run(['run', '-b', sb.bundle((s) => {
    notifyMkdir(s, '/x.sock', false);
    s.linux!.seccomp!.syscalls![0].names = ['write'];
  }), sb.id()]);
  t.regex(write.stderr, /SCMP_ACT_NOTIFY cannot be used for the write syscall$/);
});

test.serial('a profile without close_range: the container still starts (fds closed before the filter)', async (t) => {
  for (const noNewPrivileges of [false, true]) {
    const r = await sb.run(['run', '-b', sb.bundle((s) => {
      s.process!.noNewPrivileges = noNewPrivileges;
      s.process!.args = ['sh', '-c', 'ls /proc/self/fd | wc -l'];
      s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['close_range'], action: 'SCMP_ACT_KILL' }] };
    }), sb.id()]);
    t.is(r.exitCode, 0, `noNewPrivileges ${noNewPrivileges}: ${r.stderr}`);
    t.is(r.stdout.trim(), '4', 'stdio and the directory ls reads: nothing of the runtime');
  }
});

test.serial('startContainer hooks run under the container\'s filter', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['true'];
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL' }] };
    s.hooks = { startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'mkdir /tmp/hook'] }] };
  }), sb.id()]);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /startContainer hook \/bin\/sh was killed by signal 31/);
});
