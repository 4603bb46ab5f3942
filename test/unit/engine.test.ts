// Engine pieces without root: paths resolved inside a container root, user
// lookup in the container's own files, generated names.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRoot, secureJoin } from '../../src/engine/rootfs.js';
import { resolveUser } from '../../src/engine/ocispec.js';
import { generateName } from '../../src/engine/names.js';
import { linkEnv } from '../../src/engine/networking.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-root-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'etc'));
mkdirSync(join(root, 'usr/lib'), { recursive: true });
writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nweb:x:1000:1001::/home/web:/bin/sh\n');
writeFileSync(join(root, 'etc/group'), 'root:x:0:\nweb:x:1001:\ndocker:x:999:web\nwheel:x:10:web,root\n');
symlinkSync('/usr/lib', join(root, 'lib'));
symlinkSync('../../../../../../etc', join(root, 'up'));
symlinkSync('/etc/shadow', join(root, 'shadow-link'));
symlinkSync('loop2', join(root, 'loop1'));
symlinkSync('loop1', join(root, 'loop2'));

test('secureJoin resolves symlinks inside the root, never above it', (t) => {
  t.is(secureJoin(root, '/lib/x'), join(root, 'usr/lib/x'), 'absolute link restarts at the root');
  t.is(secureJoin(root, '/up/passwd'), join(root, 'etc/passwd'), '".." stops at the root');
  t.is(secureJoin(root, '/shadow-link'), join(root, 'etc/shadow'), 'the host /etc/shadow is never named');
  t.is(secureJoin(root, '../../x'), join(root, 'x'));
  t.throws(() => secureJoin(root, '/loop1'), { message: /too many symlinks/ });
  t.is(readFileInRoot(root, '/shadow-link'), undefined, 'no such file inside: nothing read');
});

test('users and groups come from the container\'s own files', (t) => {
  t.deepEqual(resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  t.deepEqual(resolveUser(root, 'web'), { uid: 1000, gid: 1001, additionalGids: [999, 10], home: '/home/web' });
  t.deepEqual(resolveUser(root, '1000:10'), { uid: 1000, gid: 10, additionalGids: [999, 10], home: '/home/web' });
  t.deepEqual(resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' }, 'numeric users need no entry');
  t.deepEqual(resolveUser(root, 'web:docker'), { uid: 1000, gid: 999, additionalGids: [999, 10], home: '/home/web' });
  t.throws(() => resolveUser(root, 'nobody'), { message: 'unable to find user nobody: no matching entries in passwd file' });
  t.throws(() => resolveUser(root, 'web:nogroup'), { message: 'unable to find group nogroup: no matching entries in group file' });
});

test('generated names are adjective_surname and avoid taken ones', (t) => {
  const taken = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const n = generateName((x) => taken.has(x));
    t.regex(n, /^[a-z]+_[a-z]+\d?$/);
    t.false(taken.has(n));
    taken.add(n);
  }
});

test('--link variables: TCP first then by number, ranges of consecutive ports, HOME and PATH left out (moby daemon/links)', (t) => {
  const env = linkEnv('web', 'db', { ip: '172.17.0.2', exposed: ['53/udp', '8081/tcp', '8080/tcp', '3306/tcp'], env: ['PATH=/bin', 'HOME=/root', 'PW=x=y'] });
  t.deepEqual(env, [
    'DB_PORT=tcp://172.17.0.2:3306',
    'DB_PORT_3306_TCP=tcp://172.17.0.2:3306', 'DB_PORT_3306_TCP_ADDR=172.17.0.2', 'DB_PORT_3306_TCP_PORT=3306', 'DB_PORT_3306_TCP_PROTO=tcp',
    'DB_PORT_8080_TCP=tcp://172.17.0.2:8080', 'DB_PORT_8080_TCP_ADDR=172.17.0.2', 'DB_PORT_8080_TCP_PORT=8080', 'DB_PORT_8080_TCP_PROTO=tcp',
    'DB_PORT_8081_TCP=tcp://172.17.0.2:8081', 'DB_PORT_8081_TCP_ADDR=172.17.0.2', 'DB_PORT_8081_TCP_PORT=8081', 'DB_PORT_8081_TCP_PROTO=tcp',
    'DB_PORT_53_UDP=udp://172.17.0.2:53', 'DB_PORT_53_UDP_ADDR=172.17.0.2', 'DB_PORT_53_UDP_PORT=53', 'DB_PORT_53_UDP_PROTO=udp',
    // A run of ports is named once the run ends: after the first port past it, as moby's loop does.
    'DB_PORT_8080_TCP_START=tcp://172.17.0.2:8080', 'DB_PORT_8080_TCP_PORT_START=8080', 'DB_PORT_8080_TCP_END=tcp://172.17.0.2:8081', 'DB_PORT_8080_TCP_PORT_END=8081',
    'DB_NAME=/web/db',
    'DB_ENV_PW=x=y',
  ]);
});

test('HOME from the passwd entry, "/" for a uid without one', (t) => {
  t.is(resolveUser(root, '').home, '/root');
  t.is(resolveUser(root, 'web').home, '/home/web');
  t.is(resolveUser(root, '4242').home, '/');
});
