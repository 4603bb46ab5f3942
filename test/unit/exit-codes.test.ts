// skiff's exit codes for usage errors and daemon errors against the real
// docker CLI v28's, run side by side: docker against a stand-in daemon that
// knows no container (test/dockerfake.ts), skiff against an empty root.
// Plus the error kinds themselves: what the CLI and an API server read.
import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_STATUS, SkiffError, SystemError, execFailureCode, kindOf } from '../../src/errors.js';
import { ENGINE } from '../helpers.js';
import { fakeDaemon, haveDocker, type FakeDaemon } from '../dockerfake.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-test-exit-'));
let daemon: FakeDaemon | undefined;
test.before(async () => { if (haveDocker) daemon = await fakeDaemon(); });
test.after.always(async () => { await daemon?.close(); rmSync(root, { recursive: true, force: true }); });

const skiff = async (args: string[]) => {
  const r = await execa(ENGINE, ['--root', root, ...args], { reject: false });
  return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr) };
};

// Each case: the command line, and what docker v28 exits with (checked live
// when the docker CLI is here, so a docker that changes is noticed).
const CASES: [string[], number, string][] = [
  [['nosuchcommand'], 1, 'an unknown command'],
  [['rm'], 1, 'rm with no argument'],
  [['inspect'], 1, 'inspect with no argument'],
  [['exec', 'c1'], 1, 'exec without a command'],
  [['logs'], 1, 'logs with no argument'],
  [['exec', 'c1', 'ls'], 1, 'exec into a missing container'],
  [['inspect', 'nosuch'], 1, 'inspect of a missing object'],
  [['ps', '--badflag'], 125, 'an unknown flag'],
  [['ps', '-f'], 125, 'a flag without its value'],
  [['run', '--badflag', 'busybox'], 125, 'run with an unknown flag'],
];

for (const [args, expected, what] of CASES) {
  test(`exit code of ${what} (skiff ${args.join(' ')}) is docker's ${expected}`, async (t) => {
    if (daemon) t.is((await daemon.docker(args)).exitCode, expected, 'docker v28 itself');
    else t.log(`no docker CLI here: compared with the recorded ${expected} only`);
    const r = await skiff(args);
    t.is(r.exitCode, expected, r.stderr);
  });
}

test('exec into a missing container says what docker says', async (t) => {
  t.regex((await skiff(['exec', 'c1', 'ls'])).stderr, /^Error response from daemon: No such container: c1$/);
});

test('errors carry a kind; the API status and the exec exit codes come from fields, not text', (t) => {
  t.is(kindOf(new SkiffError('No such container: x', 'not-found')), 'not-found');
  t.is(kindOf(new Error('a bug')), 'system');
  t.is(kindOf(new SkiffError('any words at all')), 'system', 'unclassified is system (500), as moby errdefs');
  t.deepEqual([HTTP_STATUS['not-found'], HTTP_STATUS.conflict, HTTP_STATUS.invalid, HTTP_STATUS['not-modified'], HTTP_STATUS.system], [404, 409, 400, 304, 500]);
  t.is(execFailureCode(new SystemError('find_executable', 'execve', 2, 'ENOENT', '/bin/nope')), 127);
  t.is(execFailureCode(new SystemError('find_executable', 'execve', 13, 'EACCES', '/etc/passwd')), 126);
  t.is(execFailureCode(new SystemError('mount', 'mount', 2, 'ENOENT', '/x')), undefined, 'a failed mount is not a failed exec');
  t.is(execFailureCode(new SkiffError('exec /bin/nope: ENOENT')), undefined, 'the text does not count');
});
