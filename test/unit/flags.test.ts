// Flag mapping: for each set of `create` flags, skiff's CLI parser must
// build the same API request (Config, HostConfig, NetworkingConfig) that the
// real docker CLI v28 sends for them. docker talks to a recording stand-in
// daemon on a unix socket (test/dockerfake.ts); skiff's request comes from
// its own parser (cli.ts parseCreateArgs) and flags.ts.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCreateArgs } from '../../src/engine/cli.js';
import { createRequestFromFlags, type CreateFlags } from '../../src/engine/commands/container/flags.js';
import { fakeDaemon, haveDocker, type FakeDaemon } from '../dockerfake.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-test-flags-'));
const envFile = join(dir, 'env.list');
writeFileSync(envFile, '# a comment\nFROM_FILE=1\n\nPASSED\n');
// A seccomp profile file: the docker CLI sends its (compacted) text, not its name.
const seccompFile = join(dir, 'seccomp.json');
writeFileSync(seccompFile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }, null, 2));
// The environment both CLIs run with: -e NAME and env-file lines without "=" read it.
const ENV = { PASSED: 'from-env', PATH: '/usr/bin:/bin', HOME: dir };

let daemon: FakeDaemon | undefined;
test.before(async () => { if (haveDocker) daemon = await fakeDaemon(); });
test.after.always(async () => { await daemon?.close(); rmSync(dir, { recursive: true, force: true }); });

/**
 * What is compared: docker sends every field of its structs, most of them
 * empty (null, "", 0, false, [], {}): those are dropped on both sides, as
 * dockerd reads them as "not set". Dropped from docker's side besides:
 *  - HostConfig.MemorySwappiness: -1, docker's "not set" marker for a knob skiff does not have;
 *  - HostConfig.ConsoleSize: the docker client's terminal size, which skiff's attach sends itself;
 * and HostConfig.Binds and Config.Env are compared as sets (docker's order is a Go map's).
 *  - HostConfig.LogConfig, ConsoleSize and the endpoint's IPAM/driver fields: all empty here
 *    (docker fills them in for options skiff does not take).
 */
function normalize(v: unknown): unknown {
  // Array elements are kept as they are ([""] is an entrypoint reset, not "not set").
  if (Array.isArray(v)) return v.length ? v.map((x) => (x && typeof x === 'object' ? normalize(x) ?? {} : x)) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'MemorySwappiness' && x === -1) continue;
      if (k === 'ConsoleSize') continue; // the client's terminal size (0x0 here), for a TTY's first resize
      // docker collects -v into a Go map: Binds come in no particular order.
      if (k === 'Binds' && Array.isArray(x)) { out[k] = x.length ? [...x].sort() : undefined; if (!x.length) delete out[k]; continue; }
      // docker v28 was seen to send an env-file's entries and -e's in either
      // order from one run to the next (a Go map again): compared as a set.
      if (k === 'Env' && Array.isArray(x)) { if (x.length) out[k] = [...x].sort(); continue; }
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null || v === '' || v === 0 || v === false ? undefined : v;
}

// Every `run`/`create` flag skiff supports, in sets (run's own -d, --detach-keys
// and --sig-proxy are not part of the create request).
const CASES: string[][] = [
  ['busybox'],
  ['busybox', 'echo', 'hello', 'world'],
  ['--name', 'web', '-e', 'A=b', '-e', 'PASSED', '--env-file', envFile, 'busybox'],
  ['-w', '/tmp', '-u', '1000:1000', '-h', 'box', '--entrypoint', 'sh', 'busybox', '-c', 'echo hi'],
  ['--entrypoint', '', 'busybox', 'true'],
  ['-l', 'a=b', '-l', 'flag', '--label', 'c=d=e', 'busybox'],
  ['-t', '-i', 'busybox'],
  ['-i', 'busybox'],
  ['--restart', 'on-failure:3', 'busybox'],
  ['--restart', 'always', 'busybox'],
  ['--restart', 'unless-stopped', 'busybox'],
  ['--rm', 'busybox'],
  ['--read-only', '--privileged', '--init', 'busybox'],
  ['--cap-add', 'NET_ADMIN', '--cap-add', 'sys_time', '--cap-drop', 'chown', '--cap-drop', 'ALL', 'busybox'],
  ['--stop-signal', 'SIGINT', '--stop-timeout', '5', 'busybox'],
  ['-m', '512m', '--cpus', '1.5', '--cpuset-cpus', '0-1', '--pids-limit', '50', 'busybox'],
  ['-m', '1g', '--cpus', '0.25', 'busybox'],
  ['-v', '/srv/data:/data', '-v', '/etc/hosts:/h:ro', '-v', 'named:/n', '-v', '/anon', 'busybox'],
  ['--mount', 'type=bind,source=/srv,target=/srv,readonly', '--mount', 'type=volume,source=v1,target=/v1', 'busybox'],
  ['--mount', 'type=volume,target=/anon2,volume-nocopy', '--mount', 'type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770', 'busybox'],
  ['--mount', 'type=bind,src=/srv,dst=/x,bind-propagation=rslave', 'busybox'],
  ['--tmpfs', '/run', '--tmpfs', '/cache:size=1m,mode=1777', 'busybox'],
  ['--volumes-from', 'other', '--volumes-from', 'third:ro', 'busybox'],
  ['--network', 'none', 'busybox'],
  ['--network', 'host', 'busybox'],
  ['--net', 'bridge', 'busybox'],
  ['--network', 'container:other', 'busybox'],
  ['--network', 'mynet', '--network-alias', 'web', '--network-alias', 'www', 'busybox'],
  ['-p', '8080:80', '-p', '127.0.0.1::53/udp', '-p', '9000', 'busybox'],
  ['-P', '--expose', '8000', '--expose', '9000/udp', 'busybox'],
  ['--link', 'db:database', '--link', 'cache', 'busybox'],
  ['--security-opt', `seccomp=${seccompFile}`, '--security-opt', 'no-new-privileges', 'busybox'],
  ['--security-opt', 'seccomp=unconfined', 'busybox'],
];

for (const args of CASES) {
  // One at a time: the requests docker sends are told apart by their order.
  test.serial(`create ${args.join(' ')}`, async (t) => {
    const { image, command, flags } = parseCreateArgs(args);
    const skiff = createRequestFromFlags(image, command, flags as unknown as CreateFlags, ENV);
    if (!daemon) { t.log('no docker CLI here: skiff\'s request built, not compared'); t.pass(); return; }
    const before = daemon.requests.length;
    const r = await daemon.docker(['create', ...args], ENV);
    t.is(r.exitCode, 0, r.stderr);
    const sent = daemon.requests.slice(before).find((q) => q.method === 'POST' && q.path.startsWith('/containers/create'));
    t.truthy(sent, 'docker sent a create request');
    t.deepEqual(normalize(skiff), normalize(sent!.body));
    // ?name= is docker's query parameter, skiff's create option.
    t.is(new URLSearchParams(sent!.path.split('?')[1] ?? '').get('name') ?? undefined, flags.name as string | undefined);
  });
}
