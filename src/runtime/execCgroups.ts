// Where `exec` puts its process: the container's cgroup, or with --cgroup a
// sub-cgroup of it, as runc exec --cgroup does:
//   --cgroup PATH                      every hierarchy: <container cgroup>/PATH
//   --cgroup CTRL[,CTRL...]:PATH       only the hierarchies of those controllers
// PATH is relative to the container's cgroup and may not leave it. On cgroup
// v2, a process cannot join a cgroup whose subtree_control enables domain
// controllers while it has processes of its own ("no internal processes",
// cgroup-v2.rst): then, without --cgroup, runc falls back to the init's own
// cgroup, and so do we.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SkiffError } from '../errors.js';
import type { CgroupDir } from '../cgroups/manager.js';

export interface ExecCgroup { controllers?: string[]; path: string }

/** Parses the --cgroup flags; an empty list means "the container's cgroup". */
export function parseExecCgroups(values: string[]): ExecCgroup[] {
  return values.map((v) => {
    const colon = v.indexOf(':');
    const controllers = colon >= 0 ? v.slice(0, colon).split(',').filter(Boolean) : undefined;
    const path = posix.normalize(colon >= 0 ? v.slice(colon + 1) : v);
    // Relative to the container's cgroup: "/" is the container's own.
    const rel = path.replace(/^\/+/, '');
    if (rel === '..' || rel.startsWith('../')) throw new SkiffError(`--cgroup: ${path} is not a sub cgroup path`);
    return { controllers, path: rel === '.' ? '' : rel };
  });
}

/** The directory one hierarchy's exec process goes to, per the --cgroup flags. */
function dirFor(d: CgroupDir, specs: ExecCgroup[]): string {
  let sub = '';
  for (const s of specs) {
    if (!s.controllers) sub = s.path;
    else if (d.hierarchy.kind === 'v1' && s.controllers.some((c) => d.hierarchy.controllers.includes(c))) sub = s.path;
  }
  return sub ? join(d.path, sub) : d.path;
}

/** Checks that every controller named in --cgroup exists on this host. */
function checkControllers(dirs: CgroupDir[], specs: ExecCgroup[]): void {
  const known = new Set(dirs.flatMap((d) => d.hierarchy.controllers));
  for (const s of specs) {
    for (const c of s.controllers ?? []) {
      if (!known.has(c)) throw new SkiffError(`--cgroup: unknown controller ${JSON.stringify(c)}`);
    }
  }
}

function addTo(dir: string, pid: number): void {
  try {
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // runc's wording, which scripts match: "adding pid N to cgroups: ...".
    const text = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EBUSY' ? 'device or resource busy' : e.code;
    throw new SkiffError(`adding pid ${pid} to cgroups: write ${join(dir, 'cgroup.procs')}: ${text} (${e.code})`);
  }
}

/** The init's cgroup on the unified hierarchy, from /proc/<pid>/cgroup ("0::/path"). */
function initV2Cgroup(mountPoint: string, initPid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${initPid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line ? join(mountPoint, line.slice(3)) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes pid into the exec's cgroups (one per hierarchy). */
export function placeExecProcess(dirs: CgroupDir[], specs: ExecCgroup[], pid: number, initPid: number): void {
  checkControllers(dirs, specs);
  for (const d of dirs) {
    const dir = dirFor(d, specs);
    try {
      addTo(dir, pid);
    } catch (err) {
      const fallback = d.hierarchy.kind === 'v2' && !specs.length ? initV2Cgroup(d.hierarchy.mountPoint, initPid) : undefined;
      if (!fallback || !/\(EBUSY\)$/.test((err as Error).message)) throw err;
      addTo(fallback, pid);
    }
  }
}
