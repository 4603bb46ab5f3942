// The engine core driven directly, in this process (as root, on a temp
// root): 20 operations at once end as 20 processes would leave them;
// attach, exec and logs are streams; every error kind; `ps -f ancestor=`;
// and a separate Node program that embeds skiff (examples/embed.mjs).
import test from 'ava';
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { Engine } from '../../src/engine/core/engine.js';
import { kindOf, SkiffError, type ErrorKind } from '../../src/errors.js';
import { projectRoot } from '../../src/native.js';
import { Sandbox, type EngineCli } from '../helpers.js';
import { pushFixtures, startRegistry, type Registry } from '../registry.js';

const sb = new Sandbox('core');
let registry: Registry;
test.before(async () => {
  mkdirSync(join(sb.dir, 'registry'));
  registry = await startRegistry(join(sb.dir, 'registry'));
  await pushFixtures(registry.host);
});
test.after.always('registry stopped, nothing left behind', async (t) => {
  await registry?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

const collect = (s: PassThrough) => { let text = ''; s.on('data', (d: Buffer) => { text += d.toString(); }); return () => text; };

/** Whatever a test leaves (a failed assertion stops it half way) goes, so the next one starts clean. */
async function removeAll(engine: Engine): Promise<void> {
  for (const c of await engine.containerList({ all: true })) await engine.containerRemove(c.Id, { force: true }).catch(() => undefined);
}

async function kindOfRejection(p: Promise<unknown> | (() => unknown)): Promise<ErrorKind | 'none'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'none';
  } catch (err) {
    return kindOf(err);
  }
}

test.serial('20 operations at once in one process end as they would in 20 processes', async (t) => {
  const skiff: EngineCli = await sb.engine();
  const warnings: string[] = [];
  const engine = new Engine({ root: skiff.root, sinks: { warning: (l) => warnings.push(l) } });
  t.teardown(() => removeAll(engine));
  await engine.networkCreate({ Name: 'corenet' });
  // Two running containers (on the default bridge) that connect to and disconnect from corenet meanwhile.
  const connectable = await Promise.all(['n1', 'n2'].map(async (name) => (await engine.containerCreate({ Image: 'busybox', Cmd: ['sleep', '100'] }, { name })).Id));
  for (const id of connectable) await engine.containerStart(id);

  // What `load` of the fixture left in tmp/ is not this test's business (the pulls below must add nothing).
  const tmpBefore = readdirSync(join(skiff.root, 'tmp')).sort();
  const ops: Promise<unknown>[] = [];
  // 8: create, start, stop, rm of different containers.
  for (let i = 0; i < 8; i++) {
    ops.push((async () => {
      const { Id } = await engine.containerCreate({ Image: 'busybox', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: i % 2 ? 'none' : 'default' } }, { name: `c${i}` });
      await engine.containerStart(Id);
      await engine.containerStop(Id, { t: 1 });
      await engine.containerRemove(Id);
    })());
  }
  // 2: two pulls of one image from the local registry.
  for (let i = 0; i < 2; i++) ops.push(engine.imagePull(`${registry.host}/library/busybox:latest`));
  // 2: network connect and disconnect of two running containers.
  for (const id of connectable) ops.push((async () => {
    await engine.networkConnect('corenet', { Container: id, EndpointConfig: { Aliases: [`alias-${id.slice(0, 4)}`] } });
    await engine.networkDisconnect('corenet', id);
  })());
  // 8: volume create and rm of one name.
  for (let i = 0; i < 8; i++) ops.push(i % 2 ? engine.volumeRemove('shared', { force: true }) : engine.volumeCreate({ Name: 'shared' }));
  t.is(ops.length, 20);
  const results = await Promise.allSettled(ops);
  t.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], 'every operation succeeded');

  // What 20 processes leave: the 8 containers gone, the two netters running and on no user network,
  // the image once (two tags: none, as both pulls name one reference), the volume whole or absent.
  const left = await engine.containerList({ all: true });
  t.deepEqual(left.map((c) => c.Name).sort(), ['/n1', '/n2']);
  for (const c of left) {
    t.is(c.State.Status, 'running');
    t.false('corenet' in (c.NetworkSettings?.Networks ?? {}), `${c.Name} left corenet`);
    t.false('corenet' in (c.Network?.Networks ?? {}));
  }
  t.deepEqual(Object.keys(engine.networkInspect('corenet').Containers), [], 'no endpoint left on corenet');
  const pulled = engine.imageList().filter((i) => i.RepoTags.includes(`${registry.host}/library/busybox:latest`));
  t.is(pulled.length, 1, 'one image for the two pulls');
  t.deepEqual(readdirSync(join(skiff.root, 'tmp')).sort(), tmpBefore, 'no pull left temp files');
  const vols = readdirSync(join(skiff.root, 'volumes'));
  t.deepEqual(vols.filter((v) => v.startsWith('.')), [], 'no half-made or half-removed volume');
  if (vols.includes('shared')) t.true(existsSync(join(skiff.root, 'volumes/shared/volume.json')), 'a volume that exists is whole');
  // The CLI, another process, sees the same state.
  t.deepEqual((await skiff(['ps', '--format', '{{.Names}}'])).stdout.split('\n').sort(), ['n1', 'n2']);
  for (const id of connectable) await engine.containerRemove(id, { force: true });
  await engine.networkRemove('corenet');
  await engine.volumeRemove('shared', { force: true });
});

test.serial('attach, exec and logs are streams', async (t) => {
  const skiff = await sb.engine();
  const engine = new Engine({ root: skiff.root });
  t.teardown(() => removeAll(engine));
  const { Id } = await engine.containerCreate({ Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; sleep 1; echo late; sleep 100'], HostConfig: { NetworkMode: 'none' } });
  // Attached before the start (docker run's order): nothing is missed.
  const out = new PassThrough();
  const err = new PassThrough();
  const outText = collect(out);
  const errText = collect(err);
  const { attachClient } = await import('../../src/engine/core/containers/attach.js');
  const client = attachClient(Id, false);
  await engine.containerStart(Id, { beforeStart: () => client.connect() });
  const attached = client.run({ stdout: out, stderr: err });
  for (let i = 0; i < 100 && !outText().includes('late'); i++) await new Promise((r) => setTimeout(r, 50));
  t.is(outText(), 'out\nlate\n');
  t.is(errText(), 'err\n');

  // exec: output as streams, the exit code through inspect.
  const x = await engine.execCreate(Id, { Cmd: ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 3'], AttachStdout: true, AttachStderr: true });
  const xo = new PassThrough();
  const xe = new PassThrough();
  const xoText = collect(xo);
  const xeText = collect(xe);
  t.is(await engine.execStart(x.Id, { stdout: xo, stderr: xe }), 3);
  t.is(xoText(), 'exec-out\n');
  t.is(xeText(), 'exec-err\n');
  t.is(engine.execInspect(x.Id).ExitCode, 3);

  // logs: entries with their stream, tail, and follow to the end.
  const logs = await engine.containerLogs(Id, {});
  const entries: { stream: string; line: string }[] = [];
  for await (const e of logs) entries.push({ stream: e.stream, line: e.line });
  t.deepEqual(entries, [{ stream: 'stdout', line: 'out\n' }, { stream: 'stderr', line: 'err\n' }, { stream: 'stdout', line: 'late\n' }]);
  const tail: string[] = [];
  for await (const e of await engine.containerLogs(Id, { tail: 1 })) tail.push(e.line);
  t.deepEqual(tail, ['late\n']);
  const followed: string[] = [];
  const follow = (async () => { for await (const e of await engine.containerLogs(Id, { follow: true })) followed.push(e.line); })();
  await engine.containerKill(Id, 'SIGKILL');
  await follow; // ends when the container does
  t.deepEqual(followed, ['out\n', 'err\n', 'late\n']);
  const result = await attached;
  t.deepEqual(result, { exitCode: 137 });
  t.is((await engine.containerWait(Id)).StatusCode, 137);
  await engine.containerRemove(Id);
});

test.serial('every error kind, read from the error, never its text', async (t) => {
  const skiff = await sb.engine();
  const engine = new Engine({ root: skiff.root });
  t.teardown(() => removeAll(engine));
  t.is(await kindOfRejection(engine.containerInspect('nosuch')), 'not-found');
  t.is(await kindOfRejection(() => engine.imageInspect('nosuch:1')), 'not-found');
  t.is(await kindOfRejection(() => engine.volumeInspect('nosuch')), 'not-found');
  t.is(await kindOfRejection(() => engine.networkInspect('nosuch')), 'not-found');
  t.is(await kindOfRejection(engine.containerCreate({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' as 'no', MaximumRetryCount: 0 } } })), 'invalid');
  t.is(await kindOfRejection(engine.containerCreate({ Image: 'busybox', HostConfig: { Memory: 1024 } })), 'invalid');
  const { Id } = await engine.containerCreate({ Image: 'busybox', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: 'none' } }, { name: 'k' });
  t.is(await kindOfRejection(engine.containerCreate({ Image: 'busybox' }, { name: 'k' })), 'conflict', 'the name is taken');
  t.is(await kindOfRejection(engine.containerStop(Id)), 'not-modified', 'stop of a stopped container');
  await engine.containerStart(Id);
  t.is(await kindOfRejection(engine.containerStart(Id)), 'not-modified', 'start of a started container');
  t.is(await kindOfRejection(engine.containerRemove(Id)), 'conflict', 'rm of a running container without force');
  t.is(await kindOfRejection(engine.networkRemove('bridge')), 'forbidden');
  const port = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  t.is(await kindOfRejection(engine.imagePull(`127.0.0.1:${port}/library/busybox`)), 'unavailable');
  const err = await engine.containerInspect('nosuch').catch((e: unknown) => e);
  t.true(err instanceof SkiffError);
  await engine.containerRemove(Id, { force: true });
});

test.serial('ps -f ancestor= matches the image by any of its names and IDs', async (t) => {
  const skiff = await sb.engine();
  const c = await skiff(['create', '--network', 'none', 'busybox', 'true']);
  t.is(c.exitCode, 0, c.stderr);
  const id = JSON.parse((await skiff(['image', 'inspect', 'busybox'])).stdout)[0].Id as string;
  for (const ancestor of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', id, id.slice(7, 19)]) {
    t.is((await skiff(['ps', '-aq', '--no-trunc', '-f', `ancestor=${ancestor}`])).stdout, c.stdout, ancestor);
  }
  t.is((await skiff(['ps', '-aq', '-f', 'ancestor=other:1'])).stdout, '', 'another image matches nothing');
  await skiff(['rm', c.stdout]);
});

test.serial('a Node program that installs skiff from its directory embeds the engine (examples/embed.mjs)', async (t) => {
  const skiff = await sb.engine();
  const app = join(sb.dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'embedder', version: '1.0.0', type: 'module', private: true }));
  const install = await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', projectRoot], { cwd: app, reject: false });
  t.is(install.exitCode, 0, install.stderr);
  // The example, run from the other program's directory: `import { Engine } from 'skiff'` resolves there.
  const example = join(app, 'embed.mjs');
  writeFileSync(example, (await import('node:fs')).readFileSync(join(projectRoot, 'examples/embed.mjs'), 'utf8'));
  const r = await execa('node', [example], { cwd: app, env: { SKIFF_ROOT: skiff.root }, reject: false });
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'hello from skiff');
  t.is((await skiff(['ps', '-aq'])).stdout, '', 'the example removed its container');
  // And its types: the package's "types" resolve for a TypeScript program.
  writeFileSync(join(app, 'check.ts'), "import { Engine, type ContainerCreateRequest } from 'skiff';\nconst req: ContainerCreateRequest = { Image: 'busybox' };\nexport const e: Engine = new Engine({ root: '/tmp/x' });\nexport { req };\n");
  const tsc = await execa(join(projectRoot, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', '--typeRoots', join(projectRoot, 'node_modules/@types'), 'check.ts'], { cwd: app, reject: false });
  t.is(tsc.exitCode, 0, tsc.stdout + tsc.stderr);
});
