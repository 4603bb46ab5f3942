// A foreground `skiff-runtime run` that dies while its init waits at the exec
// fifo: nobody will ever start that init, so its helper (which sees EOF on
// the channel) kills and reaps it instead of waiting with it for good. After
// the init exec'd, the container is the user's, as with runc: a dead `run`
// leaves it running.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('rt-run-killed');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const ppidOf = (pid: number) => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

async function gone(pid: number, ms: number): Promise<boolean> {
  for (let i = 0; i < ms / 20; i++) {
    if (!existsSync(`/proc/${pid}`) || /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** `run` of a sleeping container, SIGKILLed by itself at fault point `fault` (as an OOM kill would); returns the container's id. */
async function runKilledAt(t: ExecutionContext, fault: string): Promise<string> {
  const id = sb.id();
  t.teardown(() => sb.run(['delete', '--force', id]).then(() => undefined));
  const killed = await sb.run(['run', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '300']; }), id],
    { wrap: ['env', `SKIFF_FAULT=${fault}`] });
  t.is(killed.exitCode, -1, `killed by SIGKILL: ${killed.stderr}`);
  return id;
}

test('run killed at the exec fifo: the helper kills and reaps the init, and exits; delete cleans up', async (t) => {
  // The init sits at the exec fifo once CREATED arrived (lifecycle.ts's trace phase).
  const id = await runKilledAt(t, 'create: CREATED received');
  // The record has the init's pid from the PID message on (the state
  // command says 0 for a create that never completed).
  const init = (JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8')) as { pid: number }).pid;
  t.true(init > 0);
  // The init may already be gone; if not, its parent is the helper.
  const helper = existsSync(`/proc/${init}`) ? ppidOf(init) : 0;
  t.true(await gone(init, 5000), `init ${init} still waits at the exec fifo`);
  if (helper) t.true(await gone(helper, 5000), `helper ${helper} still waits`);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'stopped');
  const del = await sb.run(['delete', id]);
  t.is(del.exitCode, 0, del.stderr);
});

test('run killed after start: the container keeps running (runc leaves it too); delete --force ends it', async (t) => {
  const id = await runKilledAt(t, 'start: released');
  const state = JSON.parse((await sb.run(['state', id])).stdout) as { pid: number; status: string };
  t.is(state.status, 'running');
  t.false(await gone(state.pid, 500), 'the started container was killed with its run');
  const del = await sb.run(['delete', '--force', id]);
  t.is(del.exitCode, 0, del.stderr);
});
