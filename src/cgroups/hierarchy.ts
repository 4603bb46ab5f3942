// Which cgroup hierarchies this host mounts, read from /proc/self/mountinfo
// (proc(5)) and /proc/self/cgroup (cgroups(7)). A host is "v1" (only v1
// controllers), "v2" (one cgroup2 at the root) or "hybrid" (v1 controllers
// plus a cgroup2, as on this project's Debian VM: /sys/fs/cgroup/unified).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface Hierarchy {
  /** cgroup2 ("unified") or the v1 controllers it carries, e.g. ["cpu"], ["name=systemd"]. */
  kind: 'v1' | 'v2';
  controllers: string[];
  mountPoint: string;
  /** The calling process's cgroup in this hierarchy, e.g. "/" or "/user.slice". */
  ownPath: string;
}

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

// Octal escapes in mountinfo: a space is "\040" (proc(5)).
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): { mountPoint: string; fstype: string; superOptions: string[] }[] {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const fields = left.split(' ');
    const [fstype, , superOptions] = right.split(' ');
    out.push({ mountPoint: unescape(fields[4]), fstype, superOptions: (superOptions ?? '').split(',') });
  }
  return out;
}

export function parseProcCgroup(text: string): { controllers: string[]; path: string }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, controllers, ...rest] = line.split(':');
      return { controllers: controllers ? controllers.split(',') : [], path: rest.join(':') };
    });
}

let hostHierarchies: Hierarchy[] | undefined;

/**
 * Reads the host's hierarchies; the inputs are parameters so tests can feed
 * fixtures. The host's own answer is read once per process: `list` and
 * `delete` ask for it once per container.
 */
export function detectHierarchies(mountinfo?: string, procCgroup?: string): Hierarchy[] {
  if (mountinfo === undefined && procCgroup === undefined) {
    hostHierarchies ??= parseHierarchies(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
    return hostHierarchies;
  }
  return parseHierarchies(mountinfo ?? '', procCgroup ?? '');
}

function parseHierarchies(mountinfo: string, procCgroup: string): Hierarchy[] {
  const own = parseProcCgroup(procCgroup);
  const seen = new Set<string>();
  const result: Hierarchy[] = [];
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fstype === 'cgroup2') {
      if (seen.has('unified')) continue;
      seen.add('unified');
      const ownPath = own.find((c) => c.controllers.length === 0)?.path ?? '/';
      result.push({ kind: 'v2', controllers: [], mountPoint: m.mountPoint, ownPath });
    } else if (m.fstype === 'cgroup') {
      const known = own.map((c) => c.controllers);
      const controllers = m.superOptions.filter((o) => known.some((k) => k.includes(o)));
      const key = controllers.sort().join(',');
      if (!controllers.length || seen.has(key)) continue; // bind mounts of the same hierarchy
      seen.add(key);
      const ownPath = own.find((c) => c.controllers.sort().join(',') === key)?.path ?? '/';
      result.push({ kind: 'v1', controllers, mountPoint: m.mountPoint, ownPath });
    }
  }
  return result;
}

export function cgroupMode(hierarchies: Hierarchy[]): CgroupMode {
  const v1 = hierarchies.some((h) => h.kind === 'v1');
  const v2 = hierarchies.some((h) => h.kind === 'v2');
  return v1 && v2 ? 'hybrid' : v2 ? 'v2' : 'v1';
}

/** Directory name a hierarchy has under /sys/fs/cgroup inside a container. */
export function hierarchyDirName(h: Hierarchy): string {
  return h.kind === 'v2' ? 'unified' : basename(h.mountPoint);
}
