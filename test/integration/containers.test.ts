// The first slice of the engine's containers: create, ps and rm records,
// unique names under concurrency, and rmi's rules for an image a container
// uses (refused; -f removes the name and leaves <none>:<none>).
import test from 'ava';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('ctr');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const engine = () => sb.engine();

test('create prints a 64-hex ID; ps -a shows Docker\'s columns; rm removes', async (t) => {
  const skiff = await engine();
  const c = await skiff(['create', '--name', 'web', '-e', 'A=1', '-l', 'tier=front', 'busybox', 'sh', '-c', 'echo hello world and more']);
  t.is(c.exitCode, 0, c.stderr);
  t.regex(c.stdout, /^[a-f0-9]{64}$/);
  const generated = await skiff(['create', 'busybox']);
  t.regex(generated.stdout, /^[a-f0-9]{64}$/);
  const ps = (await skiff(['ps', '-a'])).stdout.split('\n');
  t.regex(ps[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
  t.regex(ps.join('\n'), new RegExp(`^${c.stdout.slice(0, 12)}\\s+busybox\\s+"sh -c echo hello wo…"\\s+.+ ago\\s+Created\\s+web$`, 'm'));
  t.regex(ps.join('\n'), /\s+"sh"\s+.*Created\s+[a-z]+_[a-z]+\d*$/m, 'a generated adjective_name');
  t.is((await skiff(['ps'])).stdout.split('\n').length, 1, 'without -a only running containers');
  t.deepEqual((await skiff(['ps', '-aq'])).stdout.split('\n').sort(), [c.stdout.slice(0, 12), generated.stdout.slice(0, 12)].sort());
  t.is((await skiff(['ps', '-a', '-q', '-f', 'label=tier=front'])).stdout, c.stdout.slice(0, 12));
  t.is((await skiff(['ps', '-a', '-q', '-f', 'name=web', '--no-trunc'])).stdout, c.stdout);
  t.is((await skiff(['ps', '-l', '-q'])).stdout.length, 12);
  t.is((await skiff(['rm', 'web', generated.stdout.slice(0, 8)])).stdout, `web\n${generated.stdout.slice(0, 8)}`);
  t.is((await skiff(['ps', '-aq'])).stdout, '');
  const gone = await skiff(['rm', 'web']);
  t.is(gone.exitCode, 1);
  t.is(gone.stderr, 'Error response from daemon: No such container: web');
});

test('two creates with the same name at once: exactly one wins', async (t) => {
  const skiff = await engine();
  const results = await Promise.all([1, 2, 3].map(() => skiff(['create', '--name', 'x', 'busybox'])));
  t.is(results.filter((r) => r.exitCode === 0).length, 1);
  const losers = results.filter((r) => r.exitCode !== 0);
  t.is(losers.length, 2);
  for (const r of losers) {
    t.is(r.exitCode, 125);
    t.regex(r.stderr, /Conflict\. The container name "\/x" is already in use by container "[a-f0-9]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/);
  }
  t.regex((await skiff(['create', '--name', 'bad name', 'busybox'])).stderr, /Invalid container name \(bad name\)/);
});

test('rmi of an image a container uses: refused; -f leaves a dangling image', async (t) => {
  const skiff = await engine();
  const c = await skiff(['create', 'busybox']);
  const refused = await skiff(['rmi', 'busybox']);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, new RegExp(`conflict: unable to remove repository reference "busybox" \\(must force\\) - container ${c.stdout.slice(0, 12)} is using its referenced image [a-f0-9]{12}`));
  const forced = await skiff(['rmi', '-f', 'busybox']);
  t.is(forced.stdout, 'Untagged: busybox:latest', 'the name only');
  t.regex((await skiff(['images'])).stdout, /\n<none>\s+<none>\s+[a-f0-9]{12}/);
  t.regex((await skiff(['images', '-f', 'dangling=true', '-q'])).stdout, /^[a-f0-9]{12}$/);
  // docker ps names the image by its ID once no tag points at it.
  t.regex((await skiff(['ps', '-a'])).stdout, /\s[a-f0-9]{12}\s+"sh"/, 'the container keeps working with the dangling image');
  // prune keeps it while the container exists; after rm it goes.
  await skiff(['image', 'prune', '-f']);
  t.regex((await skiff(['images', '-q'])).stdout, /^[a-f0-9]{12}$/);
  await skiff(['rm', c.stdout]);
  await skiff(['image', 'prune', '-f']);
  t.is((await skiff(['images', '-q'])).stdout, '');
});

test('image prune -a removes every image no container uses, keeps the others', async (t) => {
  const skiff = await engine();
  await skiff(['tag', 'busybox', 'kept:1']);
  const c = await skiff(['create', 'kept:1']);
  t.is(c.exitCode, 0, c.stderr);
  const pruned = await skiff(['image', 'prune', '-a', '-f']);
  t.regex(pruned.stdout, /Total reclaimed space: 0B/, 'the only image is in use');
  t.regex((await skiff(['images'])).stdout, /\nbusybox\s+latest[\s\S]*\nkept\s+1/);
  await skiff(['rm', c.stdout]);
  const again = await skiff(['image', 'prune', '-a', '-f']);
  t.regex(again.stdout, /untagged: busybox:latest[\s\S]*untagged: kept:1[\s\S]*deleted: sha256:[a-f0-9]{64}/);
  t.is((await skiff(['images', '-q'])).stdout, '');
});

test('rename, inspect with templates, ps --format, container prune', async (t) => {
  const skiff = await engine();
  const a = (await skiff(['create', '--name', 'alpha', '-l', 'tier=db', 'busybox'])).stdout;
  await skiff(['create', '--name', 'beta', 'busybox']);
  t.is((await skiff(['rename', 'alpha', 'gamma'])).exitCode, 0);
  const taken = await skiff(['rename', 'gamma', 'beta']);
  t.regex(taken.stderr, /Conflict\. The container name "\/beta" is already in use/);
  t.is((await skiff(['inspect', '-f', '{{.Name}} {{.Id}} {{index .Config.Labels "tier"}} {{json .Config.Cmd}}', 'gamma'])).stdout, `/gamma ${a} db ["sh"]`);
  const [full] = JSON.parse((await skiff(['container', 'inspect', a.slice(0, 10)])).stdout);
  t.is(full.State.Status, 'created');
  t.is((await skiff(['inspect', '-f', '{{.Os}}', 'busybox'])).stdout, 'linux', 'an image when no container has the name');
  t.regex((await skiff(['inspect', '--type', 'container', 'busybox'])).stderr, /No such container: busybox/);
  t.regex((await skiff(['inspect', 'nothing'])).stderr, /No such object: nothing/);
  t.deepEqual((await skiff(['ps', '-a', '--format', '{{.Names}}:{{.Status}}'])).stdout.split('\n').sort(), ['beta:Created', 'gamma:Created']);
  const table = (await skiff(['ps', '-a', '--format', 'table {{.Names}}\\t{{.Labels}}', '-f', 'name=gamma'])).stdout.split('\n');
  t.regex(table[0], /^NAMES\s+LABELS$/);
  t.regex(table[1], /^gamma\s+tier=db$/);
  const json = JSON.parse((await skiff(['ps', '-a', '--format', '{{json .}}', '-f', 'name=beta'])).stdout);
  t.is(json.Names, 'beta');
  t.regex(json.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/, "Go's time format, as docker ps");
  t.deepEqual(Object.keys(json), [...Object.keys(json)].sort(), 'fields in docker\'s (sorted) order');
  // A status filter shows stopped containers without -a; a bad status is refused; exited=<code>.
  t.is((await skiff(['ps', '-f', 'status=created', '--format', '{{.Names}}'])).stdout.split('\n').sort().join(' '), 'beta gamma');
  t.regex((await skiff(['ps', '-f', 'status=sleeping'])).stderr, /invalid filter 'status=sleeping'/);
  t.is((await skiff(['run', '--name', 'three', 'busybox', 'sh', '-c', 'exit 3'])).exitCode, 3);
  t.is((await skiff(['ps', '-a', '-f', 'exited=3', '--format', '{{.Names}}'])).stdout, 'three');
  t.is((await skiff(['ps', '-a', '-f', 'exited=0', '--format', '{{.Names}}'])).stdout, '');
  t.regex((await skiff(['ps', '-a', '--format', '{{range .}}'])).stderr, /template parsing error: template: :1: unexpected EOF/);
  const pruned = await skiff(['container', 'prune', '-f']);
  t.regex(pruned.stdout, /^Deleted Containers:\n[a-f0-9]{64}\n[a-f0-9]{64}\n[a-f0-9]{64}\n/);
  t.is((await skiff(['ps', '-aq'])).stdout, '');
});

test('info counts containers and images; the bash completion script completes', async (t) => {
  const skiff = await engine();
  await skiff(['create', 'busybox']);
  const info = (await skiff(['info'])).stdout;
  t.regex(info, /^ Containers: 1\n  Running: 0\n  Paused: 0\n  Stopped: 1\n Images: 1$/m);
  t.regex(info, /^ Cgroup Version: (1|2)/m);
  const script = (await skiff(['completion', 'bash'])).stdout;
  const { execa } = await import('execa');
  const complete = async (...words: string[]) => String((await execa('bash', ['-c',
    `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _skiff; echo "\${COMPREPLY[@]}"`])).stdout);
  t.is(await complete('skiff', 'ima'), 'image images');
  t.deepEqual((await complete('skiff', 'image', 'p')).split(' ').sort(), ['prune', 'pull']);
  t.is(await complete('skiff', 'rmi', '--f'), '--force');
  t.regex((await skiff(['completion', 'fish'])).stderr, /only bash/);
});
