// Image references: Docker's normalization and Docker's kind of errors.
import test from 'ava';
import { canonicalString, familiarString, parseReference } from '../../src/image/reference.js';
import { pullingFromLine } from '../../src/image/pull.js';

const D = 'sha256:' + 'a'.repeat(64);
const cases: [string, string, string][] = [
  ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
  ['alicek106/ubuntu:14.04', 'docker.io/alicek106/ubuntu:14.04', 'alicek106/ubuntu:14.04'],
  ['docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost:5000/team/app:v2', 'localhost:5000/team/app:v2', 'localhost:5000/team/app:v2'],
  ['127.0.0.1:5003/library/busybox', '127.0.0.1:5003/library/busybox:latest', '127.0.0.1:5003/library/busybox:latest'],
  ['registry.example.com/a/b/c', 'registry.example.com/a/b/c:latest', 'registry.example.com/a/b/c:latest'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
  [`busybox:1.0@${D}`, `docker.io/library/busybox:1.0@${D}`, `busybox:1.0@${D}`],
  ['my_app-x.y__z', 'docker.io/library/my_app-x.y__z:latest', 'my_app-x.y__z:latest'],
  ['Registry.Example.com/app', 'Registry.Example.com/app:latest', 'Registry.Example.com/app:latest'],
];
for (const [input, canonical, familiar] of cases) {
  test(`normalizes ${input}`, (t) => {
    const ref = parseReference(input);
    t.is(canonicalString(ref), canonical);
    t.is(familiarString(ref), familiar);
  });
}

const bad: [string, RegExp][] = [
  ['', /must have at least one component/],
  ['BusyBox', /repository name must be lowercase/],
  ['library/Busybox', /repository name must be lowercase/],
  ['busybox:', /invalid tag ""/],
  [':tag', /at least one component/],
  ['busybox:' + 'x'.repeat(129), /tag is longer than 128 characters/],
  ['busybox:-bad', /invalid tag "-bad"/],
  ['busybox@sha256:abc', /invalid digest/],
  ['busybox@sha256:' + 'z'.repeat(64), /invalid digest|invalid sha256/],
  ['bad..name', /^invalid reference format$/],
  ['a/-b', /^invalid reference format$/],
  ['space in/name', /invalid registry|invalid reference format/],
  ['x'.repeat(250) + '/' + 'y'.repeat(10), /not be more than 255 characters/],
];
for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)}`, (t) => {
    t.throws(() => parseReference(input), { message });
  });
}

test('docker pull\'s "Pulling from" line names the repository path once (Docker Hub\'s library/ included)', (t) => {
  t.is(pullingFromLine(parseReference('ubuntu:14.04')), '14.04: Pulling from library/ubuntu');
  t.is(pullingFromLine(parseReference('library/ubuntu')), 'latest: Pulling from library/ubuntu');
  t.is(pullingFromLine(parseReference('docker.io/library/centos:7')), '7: Pulling from library/centos');
  t.is(pullingFromLine(parseReference('localhost:5000/team/app:v1')), 'v1: Pulling from team/app');
  const digest = 'sha256:' + 'a'.repeat(64);
  t.is(pullingFromLine(parseReference(`ubuntu@${digest}`)), `${digest}: Pulling from library/ubuntu`);
});
