// The prune commands ask before deleting, on a terminal, in docker's words
// (issue 13 item 3); "n" (or just Enter) deletes nothing and exits 0, "y"
// deletes. Without a terminal and without -f they refuse, deleting nothing.
// Driven through a real pseudo-terminal (test/ptydrive.py).
import test from 'ava';
import { Sandbox, type EngineCli } from '../helpers.js';

const sb = new Sandbox('prompt');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\n/g, '\\r\\n');

/** Answers the prompt of `args` with `answer`; returns the transcript after the question. */
async function answer(skiff: EngineCli, args: string[], warning: string, reply: string): Promise<{ exitCode: number | null; after: string }> {
  const question = `${warning}\nAre you sure you want to continue? [y/N] `;
  const r = await sb.pty(args, [{ expect: esc(question) }, { send: reply }], skiff.root);
  if (r.failedStep !== null) throw new Error(`no prompt: ${JSON.stringify(r.transcript)}`);
  return { exitCode: r.exitCode, after: r.transcript.slice(r.transcript.indexOf('[y/N] ') + 6) };
}

test('container, image, volume, network prune ask on a terminal; n keeps, y deletes', async (t) => {
  const skiff = await sb.engine();
  const id = (await skiff(['create', '--name', 'stopped', 'busybox'])).stdout;
  const no = await answer(skiff, ['container', 'prune'], 'WARNING! This will remove all stopped containers.', 'n\r');
  t.is(no.exitCode, 0);
  t.notRegex(no.after, /Deleted/);
  t.is((await skiff(['ps', '-aq', '--no-trunc'])).stdout, id, 'n keeps it');
  const enter = await answer(skiff, ['container', 'prune'], 'WARNING! This will remove all stopped containers.', '\r');
  t.is(enter.exitCode, 0);
  t.is((await skiff(['ps', '-aq', '--no-trunc'])).stdout, id, 'Enter is no');
  const yes = await answer(skiff, ['container', 'prune'], 'WARNING! This will remove all stopped containers.', 'y\r');
  t.is(yes.exitCode, 0);
  t.regex(yes.after, new RegExp(`Deleted Containers:\\r\\n${id}\\r\\n\\r\\nTotal reclaimed space: `));
  t.is((await skiff(['ps', '-aq'])).stdout, '');

  await skiff(['volume', 'create', 'named']);
  const vol = await answer(skiff, ['volume', 'prune', '-a'], 'WARNING! This will remove all local volumes not used by at least one container.', 'Y\r');
  t.is(vol.exitCode, 0);
  t.regex(vol.after, /Deleted Volumes:\r\nnamed\r\n/);
  t.is((await answer(skiff, ['volume', 'prune'], 'WARNING! This will remove anonymous local volumes not used by at least one container.', 'n\r')).exitCode, 0);

  await skiff(['network', 'create', 'spare']);
  t.is((await answer(skiff, ['network', 'prune'], 'WARNING! This will remove all custom networks not used by at least one container.', 'no\r')).exitCode, 0);
  t.regex((await skiff(['network', 'ls', '--format', '{{.Name}}'])).stdout, /^spare$/m, 'only y or Y is yes');
  t.regex((await answer(skiff, ['network', 'prune'], 'WARNING! This will remove all custom networks not used by at least one container.', 'y\r')).after, /Deleted Networks:\r\nspare\r\n/);

  t.is((await answer(skiff, ['image', 'prune'], 'WARNING! This will remove all dangling images.', 'n\r')).exitCode, 0);
  t.is((await answer(skiff, ['image', 'prune', '-a'], 'WARNING! This will remove all images without at least one container associated to them.', 'n\r')).exitCode, 0);
  t.regex((await skiff(['images'])).stdout, /busybox/, 'n kept the image');
});

test('system prune lists what it removes, by its flags, as docker', async (t) => {
  const skiff = await sb.engine();
  const plain = 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n';
  t.is((await answer(skiff, ['system', 'prune'], plain, 'n\r')).exitCode, 0);
  const all = 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n'
    + '  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n';
  t.is((await answer(skiff, ['system', 'prune', '-a', '--volumes'], all, 'n\r')).exitCode, 0);
  t.regex((await skiff(['images'])).stdout, /busybox/);
  const yes = await answer(skiff, ['system', 'prune', '-a'], all.replace('  - all anonymous volumes not used by at least one container\n', ''), 'y\r');
  t.regex(yes.after, /Deleted Images:\r\nuntagged: busybox:latest\r\ndeleted: sha256:[a-f0-9]{64}\r\n\r\nTotal reclaimed space: /);
});

test('without a terminal and without -f every prune refuses and deletes nothing', async (t) => {
  const skiff = await sb.engine();
  await skiff(['create', 'busybox']);
  for (const args of [['container', 'prune'], ['image', 'prune', '-a'], ['volume', 'prune'], ['network', 'prune'], ['system', 'prune']]) {
    const r = await skiff(args);
    t.not(r.exitCode, 0, args.join(' '));
    t.regex(r.stderr, new RegExp(`${args.join(' ').replace(' -a', '')} needs -f \\(--force\\) to delete without asking`));
  }
  t.is((await skiff(['ps', '-aq'])).stdout.split('\n').length, 1);
  t.regex((await skiff(['images'])).stdout, /busybox/);
  await skiff(['container', 'prune', '-f']);
});
