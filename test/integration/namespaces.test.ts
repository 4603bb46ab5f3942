// Namespaces from inside: a new namespace has an inode different from the
// host's, a shared one the same; hostname/domainname; PID 1; joining a
// namespace by path.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import { Sandbox, hostNamespace } from '../helpers.js';

const sb = new Sandbox('ns');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('the default namespaces are new; hostname and PID 1 are the container\'s', async (t) => {
  const p = await sb.probe(t, (s) => { s.domainname = 'example.test'; });
  t.is(p.hostname, 'skiff-test');
  t.is(p.domainname, 'example.test');
  t.is(p.pid, 1);
  for (const type of ['pid', 'net', 'mnt', 'uts', 'ipc', 'cgroup']) {
    t.not(p.namespaces[type], await hostNamespace(type), `${type} namespace should be new`);
  }
  t.is(p.namespaces.user, await hostNamespace('user'), 'no user namespace was asked for');
  // With a cgroup namespace the container sees itself at its cgroup's root.
  t.true(p.cgroup.every((line) => line.endsWith(':/')), p.cgroup.join('\n'));
});

test('namespaces left out of the spec are shared with the host', async (t) => {
  const p = await sb.probe(t, (s) => {
    s.linux!.namespaces = [{ type: 'mount' }];
    delete s.hostname;
  });
  for (const type of ['pid', 'net', 'uts', 'ipc']) t.is(p.namespaces[type], await hostNamespace(type));
  t.not(p.pid, 1);
});

test('joining a network namespace by path', async (t) => {
  const name = `skiff-test-${process.pid}`;
  execFileSync('ip', ['netns', 'add', name]);
  try {
    const nsPath = `/run/netns/${name}`;
    const p = await sb.probe(t, (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: nsPath } : n));
    });
    t.is(p.namespaces.net, `net:[${statSync(nsPath).ino}]`);
  } finally {
    execFileSync('ip', ['netns', 'delete', name]);
  }
});

test('joining the pid namespace of another container', async (t) => {
  const first = sb.id('owner');
  await sb.run(['run', '-d', '--bundle', sb.bundle((s) => { s.process!.args = ['sleep', '30']; }), first]);
  const owner = JSON.parse((await sb.run(['state', first])).stdout);
  try {
    const p = await sb.probe(t, (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'pid' ? { type: 'pid', path: `/proc/${owner.pid}/ns/pid` } : n));
    });
    t.is(p.namespaces.pid, readlinkSync(`/proc/${owner.pid}/ns/pid`));
    t.true(p.pid > 1, 'a joiner is not the namespace\'s init');
    // Deleting the joiner must not touch the namespace's owner.
    t.is(JSON.parse((await sb.run(['state', first])).stdout).status, 'running');
  } finally {
    await sb.run(['delete', '--force', first]);
  }
});
