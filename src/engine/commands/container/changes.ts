// skiff commit, export, diff, cp: reading and writing a container's files.
import { closeSync, existsSync, lstatSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { SkiffError } from '../../../errors.js';
import { tarChunks, walkTree } from '../../../image/tar/writer.js';
import type { EngineGlobals } from '../../context.js';
import { commitContainer, containerChanges, copyIn, copyOut, pathInContainer, splitContainerPath, withRootfs, writeTar } from '../../changes.js';
import { engine, refresh } from '../../lifecycle.js';

async function container(g: EngineGlobals, name: string) {
  const e = engine(g);
  const c = await refresh(e, e.containers.find(name).Id);
  if (!c) throw new SkiffError(`No such container: ${name}`, 'not-found');
  return { e, c };
}

export async function commitCommand(g: EngineGlobals, name: string, reference: string | undefined, f: { message?: string; author?: string; change: string[]; pause?: boolean }): Promise<void> {
  const { e, c } = await container(g, name);
  const rec = await commitContainer(e, c, reference, { message: f.message, author: f.author, changes: f.change, pause: f.pause !== false });
  process.stdout.write(rec.id + '\n');
}

/** docker diff: "C /etc", "A /etc/new", "D /gone". */
export async function diffCommand(g: EngineGlobals, name: string): Promise<void> {
  const { e, c } = await container(g, name);
  process.stdout.write(containerChanges(e, c).map((ch) => `${'CAD'[ch.Kind]} ${ch.Path}\n`).join(''));
}

/** docker export: the container's whole root filesystem as a tar (stdout, or -o FILE). */
export async function exportCommand(g: EngineGlobals, name: string, f: { output?: string }): Promise<void> {
  const { e, c } = await container(g, name);
  if (!f.output && process.stdout.isTTY) throw new SkiffError('cowardly refusing to write a tar archive to a terminal: use -o or redirect stdout', 'invalid');
  const fd = f.output ? openSync(f.output, 'w', 0o644) : 1;
  try {
    await withRootfs(e, c, (root) => writeTar(fd, tarChunks(walkTree(root))));
  } finally {
    if (f.output) closeSync(fd);
  }
}

/** docker cp CONTAINER:SRC DEST | SRC CONTAINER:DEST. */
export async function cpCommand(g: EngineGlobals, from: string, to: string): Promise<void> {
  const src = splitContainerPath(from);
  const dest = splitContainerPath(to);
  if (!!src === !!dest) throw new SkiffError('copying between containers or between host paths is not supported: one side must be CONTAINER:PATH', 'invalid');
  const contentOnly = (p: string) => p.endsWith('/.');
  if (src) {
    const { e, c } = await container(g, src.container);
    await withRootfs(e, c, (root) => {
      const inside = pathInContainer(root, src.path);
      try { lstatSync(inside); } catch { throw new SkiffError(`Could not find the file ${src.path} in container ${src.container}`, 'not-found'); }
      copyOut(inside, resolve(to), contentOnly(src.path));
    });
    return;
  }
  const { e, c } = await container(g, dest!.container);
  const hostSrc = resolve(from);
  if (!existsSync(hostSrc)) throw new SkiffError(`could not find the file ${from} on the host`, 'not-found');
  await withRootfs(e, c, (root) => copyIn(root, hostSrc, dest!.path, contentOnly(from)));
}
