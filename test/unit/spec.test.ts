// Spec validation: each malformed field gets a message naming it.
import test from 'ava';
import { validateSpec } from '../../src/runtime/spec.js';
import { defaultSpec } from '../../src/runtime/defaultSpec.js';

const withEdit = (edit: (s: Record<string, any>) => void) => {
  const s = JSON.parse(JSON.stringify(defaultSpec()));
  edit(s);
  return s;
};

test('runc\'s default spec is valid', (t) => {
  t.notThrows(() => validateSpec(defaultSpec()));
});

const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
  ['not an object', () => {}, /must hold a JSON object/],
  ['no ociVersion', (s) => { delete s.ociVersion; }, /ociVersion must be a string/],
  ['no root', (s) => { delete s.root; }, /root\.path must be a non-empty string/],
  ['empty args', (s) => { s.process.args = []; }, /process\.args must be a non-empty array/],
  ['args with a number', (s) => { s.process.args = ['sh', 1]; }, /process\.args must be a non-empty array of strings/],
  ['NUL in args', (s) => { s.process.args = ['a\0b']; }, /process\.args must not contain NUL/],
  ['relative cwd', (s) => { s.process.cwd = '.'; }, /process\.cwd must be an absolute path/],
  ['negative uid', (s) => { s.process.user.uid = -5; }, /process\.user\.uid must be an integer/],
  ['fractional gid', (s) => { s.process.user.gid = 1.5; }, /process\.user\.gid must be an integer/],
  ['env without =', (s) => { s.process.env = ['PATH']; }, /process\.env\[0\] must be KEY=value/],
  ['umask too big', (s) => { s.process.user.umask = 0o1000; }, /umask must be an integer from 0 to 0777/],
  ['duplicate rlimit', (s) => { s.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }]; }, /repeats RLIMIT_NOFILE/],
  ['soft above hard', (s) => { s.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 2, hard: 1 }]; }, /soft limit is above the hard limit/],
  ['negative rlimit', (s) => { s.process.rlimits = [{ type: 'RLIMIT_CORE', soft: -1, hard: 1 }]; }, /soft must be a non-negative integer/],
  ['oomScoreAdj out of range', (s) => { s.process.oomScoreAdj = 2000; }, /oomScoreAdj must be an integer from -1000 to 1000/],
  ['unknown namespace', (s) => { s.linux.namespaces.push({ type: 'nope' }); }, /linux\.namespaces\[5\]\.type must be one of/],
  ['duplicate namespace', (s) => { s.linux.namespaces.push({ type: 'pid' }); }, /repeats the pid namespace/],
  ['relative namespace path', (s) => { s.linux.namespaces[0].path = 'proc/1/ns/pid'; }, /namespaces\[0\]\.path must be an absolute path/],
  ['user ns without maps', (s) => { s.linux.namespaces.push({ type: 'user' }); }, /uidMappings and linux\.gidMappings are required/],
  ['maps without user ns', (s) => { s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]; }, /need a new user namespace/],
  ['zero-size map', (s) => { s.linux.namespaces.push({ type: 'user' }); s.linux.uidMappings = [{ containerID: 0, hostID: 1, size: 0 }]; s.linux.gidMappings = s.linux.uidMappings; }, /size must be at least 1/],
  ['cgroupsPath with ..', (s) => { s.linux.cgroupsPath = '/a/../../b'; }, /cgroupsPath must be a path without/],
  ['bad propagation', (s) => { s.linux.rootfsPropagation = 'sideways'; }, /rootfsPropagation must be one of/],
  ['relative masked path', (s) => { s.linux.maskedPaths = ['proc/kcore']; }, /maskedPaths\[0\] must be an absolute path/],
  ['bad device type', (s) => { s.linux.devices = [{ path: '/dev/x', type: 'z', major: 1, minor: 1 }]; }, /devices\[0\]\.type must be c, b, u or p/],
  ['mount without destination', (s) => { s.mounts.push({ type: 'tmpfs' }); }, /mounts\[7\]\.destination must be an absolute path/],
  ['mount options not strings', (s) => { s.mounts[0].options = [1]; }, /mounts\[0\]\.options must be an array of strings/],
  ['hostname too long', (s) => { s.hostname = 'x'.repeat(65); }, /hostname must be a string of at most 64/],
  ['hostname without uts', (s) => { s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'uts'); }, /hostname needs a new uts namespace/],
];

for (const [name, edit, message] of cases) {
  test(`rejects: ${name}`, (t) => {
    const input = name === 'not an object' ? [] : withEdit(edit);
    const err = t.throws(() => validateSpec(input));
    t.regex(err!.message, message);
    t.true(err!.message.startsWith('config.json: '));
  });
}
