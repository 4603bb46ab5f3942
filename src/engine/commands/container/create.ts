// skiff create [OPTIONS] IMAGE [COMMAND] [ARG...]: a container record from
// an image's config and the flags (pulled first if missing, as docker does).
// Starting it is the engine's next step (issue: containers).
import { SkiffError } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import { pull } from '../../../image/pull.js';
import { familiarString, parseReference } from '../../../image/reference.js';
import type { ImageRecord } from '../../../image/store.js';
import { progressFor } from '../../progress.js';
import { insecureRegistries } from '../pull.js';
import { containerStore, imageStore, type EngineGlobals } from '../../context.js';

export interface CreateFlags {
  name?: string; env: string[]; workdir?: string; hostname?: string; user?: string; entrypoint?: string;
  label: string[]; tty?: boolean; interactive?: boolean;
}

async function imageFor(g: EngineGlobals, name: string): Promise<ImageRecord> {
  const store = imageStore(g);
  try {
    return resolveImage(store, name);
  } catch (err) {
    if (!/No such image/.test((err as Error).message)) throw err;
    process.stderr.write(`Unable to find image '${familiarString(parseReference(name))}' locally\n`);
    const { record } = await pull(store, name, { insecure: insecureRegistries(g.root), progress: progressFor(process.stderr, false) });
    return record;
  }
}

export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    if (!e.includes('=')) throw new SkiffError(`invalid environment variable ${JSON.stringify(e)}: use KEY=value`);
    const key = e.slice(0, e.indexOf('='));
    const i = out.findIndex((x) => x.startsWith(key + '='));
    if (i >= 0) out[i] = e; else out.push(e);
  }
  return out;
}

export async function createContainer(g: EngineGlobals, image: string, command: string[], f: CreateFlags) {
  const img = await imageFor(g, image);
  const ic = (img.config.config ?? {}) as Record<string, unknown>;
  const entrypoint = f.entrypoint !== undefined ? (f.entrypoint ? [f.entrypoint] : []) : ((ic.Entrypoint as string[] | null) ?? []);
  // docker: --entrypoint resets the image's CMD unless a command is given.
  const cmd = command.length ? command : f.entrypoint !== undefined ? [] : ((ic.Cmd as string[] | null) ?? []);
  const argv = [...entrypoint, ...cmd];
  if (!argv.length) throw new SkiffError('no command specified');
  const labels = Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
  return containerStore(g).create(f.name, (id) => ({
    Image: img.id,
    Created: new Date().toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Config: {
      Cmd: cmd, Entrypoint: entrypoint.length ? entrypoint : null,
      Env: mergeEnv((ic.Env as string[] | undefined) ?? [], f.env),
      WorkingDir: f.workdir ?? (ic.WorkingDir as string | undefined) ?? '',
      User: f.user ?? (ic.User as string | undefined) ?? '',
      Hostname: f.hostname ?? id.slice(0, 12),
      Labels: { ...((ic.Labels as Record<string, string> | undefined) ?? {}), ...labels },
      Tty: !!f.tty, OpenStdin: !!f.interactive, Image: image,
    },
    State: { Status: 'created', Pid: 0, ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
  }));
}

export async function createCommand(g: EngineGlobals, image: string, command: string[], f: CreateFlags): Promise<void> {
  const rec = await createContainer(g, image, command, f);
  process.stdout.write(rec.Id + '\n');
}
