// --debug's setup phase lines in runc's words (runc's debug.bats and
// exec.bats "--debug"; src/runtime/phases.ts): printed when the helper and
// the init reach each phase, and only then.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('rt-dbgphase');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

/** The msg of every level=debug line, in order. */
const debugMessages = (text: string) =>
  text.split('\n').map((l) => /level=debug msg="(.*)"$/.exec(l)?.[1]).filter((m): m is string => m !== undefined);

const CREATE_PHASES = ['=> nsexec container setup', 'child process in init()', 'init: closing the pipe to signal completion'];

test('run --debug: the three create phases, in order, after the plan', async (t) => {
  const r = await sb.run(['--debug', 'run', '-b', sb.bundle((s) => { s.process!.args = ['true']; }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const msgs = debugMessages(r.stderr);
  const at = CREATE_PHASES.map((p) => msgs.indexOf(p));
  t.true(at.every((i) => i >= 0), r.stderr);
  t.deepEqual([...at].sort((a, b) => a - b), at, 'in the order they are reached');
  const lastPlanLine = msgs.map((m) => m.startsWith('plan: ')).lastIndexOf(true);
  t.true(lastPlanLine >= 0 && at[0] > lastPlanLine, 'after the plan was sent');
});

test('an init that fails before the exec barrier never says it signalled completion', async (t) => {
  const log = join(sb.dir, 'fail.log');
  const r = await sb.run(['--log', log, '--debug', 'run', '-b', sb.bundle((s) => { s.process!.args = ['/no/such/program']; }), sb.id()]);
  t.not(r.exitCode, 0);
  const msgs = debugMessages(readFileSync(log, 'utf8'));
  t.true(msgs.includes('child process in init()'), msgs.join('\n'));
  t.false(msgs.includes('init: closing the pipe to signal completion'), msgs.join('\n'));
});

test('exec --debug: setns_init: about to exec; without --debug, no phase line anywhere', async (t) => {
  const id = sb.id();
  const d = await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  t.is(d.exitCode, 0, d.stderr);
  t.teardown(() => sb.run(['delete', '--force', id]));
  const e = await sb.run(['--debug', 'exec', id, 'true']);
  t.is(e.exitCode, 0, e.stderr);
  const msgs = debugMessages(e.stderr);
  for (const p of ['=> nsexec container setup', 'child process in init()', 'setns_init: about to exec']) t.true(msgs.includes(p), `${p}: ${e.stderr}`);
  t.false(msgs.includes('init: closing the pipe to signal completion'));
  const quiet = await sb.run(['exec', id, 'true']);
  t.is(quiet.exitCode, 0, quiet.stderr);
  t.is(quiet.stderr, '');
});
