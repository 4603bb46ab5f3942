// Mount option strings, as runc accepts them in config.json, turned into
// mount(2) flags, propagation flags and the filesystem data string.
// mount(8) "FILESYSTEM-INDEPENDENT MOUNT OPTIONS" documents each name.
import { native } from '../native.js';

export interface ParsedMountOptions {
  flags: number;        // set on the mount
  clear: number;        // explicitly cleared (e.g. "rw", "suid")
  propagation: number;  // MS_PRIVATE|MS_REC etc., applied after mounting
  data: string[];       // everything else: passed to the filesystem
  bind: boolean;
  recursive: boolean;
  /** MOUNT_ATTR_* for the whole tree (mount_setattr(2), AT_RECURSIVE). */
  recursiveSet: number;
  recursiveClear: number;
}

type FlagRule = [flag: string, set: boolean];

const FLAG_OPTIONS: Record<string, FlagRule> = {
  ro: ['MS_RDONLY', true], rw: ['MS_RDONLY', false],
  nosuid: ['MS_NOSUID', true], suid: ['MS_NOSUID', false],
  nodev: ['MS_NODEV', true], dev: ['MS_NODEV', false],
  noexec: ['MS_NOEXEC', true], exec: ['MS_NOEXEC', false],
  sync: ['MS_SYNCHRONOUS', true], async: ['MS_SYNCHRONOUS', false],
  dirsync: ['MS_DIRSYNC', true],
  remount: ['MS_REMOUNT', true],
  mand: ['MS_MANDLOCK', true], nomand: ['MS_MANDLOCK', false],
  noatime: ['MS_NOATIME', true], atime: ['MS_NOATIME', false],
  nodiratime: ['MS_NODIRATIME', true], diratime: ['MS_NODIRATIME', false],
  relatime: ['MS_RELATIME', true], norelatime: ['MS_RELATIME', false],
  strictatime: ['MS_STRICTATIME', true], nostrictatime: ['MS_STRICTATIME', false],
  lazytime: ['MS_LAZYTIME', true], nolazytime: ['MS_LAZYTIME', false],
  silent: ['MS_SILENT', true], loud: ['MS_SILENT', false],
};

const PROPAGATION_OPTIONS: Record<string, string[]> = {
  private: ['MS_PRIVATE'], rprivate: ['MS_PRIVATE', 'MS_REC'],
  shared: ['MS_SHARED'], rshared: ['MS_SHARED', 'MS_REC'],
  slave: ['MS_SLAVE'], rslave: ['MS_SLAVE', 'MS_REC'],
  unbindable: ['MS_UNBINDABLE'], runbindable: ['MS_UNBINDABLE', 'MS_REC'],
};

// runc's recursive variants ("rro" and friends), applied with
// mount_setattr(2) to every mount of a bind tree. Values: <linux/mount.h>
// MOUNT_ATTR_* (kernel ABI). An atime mode change must clear MOUNT_ATTR__ATIME.
const ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, _ATIME: 0x70, RELATIME: 0, NOATIME: 0x10, STRICTATIME: 0x20, NODIRATIME: 0x80 };
const RECURSIVE_OPTIONS: Record<string, [set: number, clear: number]> = {
  rro: [ATTR.RDONLY, 0], rrw: [0, ATTR.RDONLY],
  rnosuid: [ATTR.NOSUID, 0], rsuid: [0, ATTR.NOSUID],
  rnodev: [ATTR.NODEV, 0], rdev: [0, ATTR.NODEV],
  rnoexec: [ATTR.NOEXEC, 0], rexec: [0, ATTR.NOEXEC],
  rnodiratime: [ATTR.NODIRATIME, 0], rdiratime: [0, ATTR.NODIRATIME],
  rrelatime: [ATTR.RELATIME, ATTR._ATIME], rnoatime: [ATTR.NOATIME, ATTR._ATIME],
  rstrictatime: [ATTR.STRICTATIME, ATTR._ATIME],
  ratime: [0, ATTR.NOATIME], rnostrictatime: [0, ATTR.STRICTATIME], rnorelatime: [0, 0],
};

/** Options runc accepts that change nothing for skiff-runtime. */
const IGNORED = new Set(['defaults', 'tmpcopyup']);

/** Every option name parseMountOptions understands (for `features`). */
export const MOUNT_OPTION_NAMES = ['bind', 'rbind', ...Object.keys(FLAG_OPTIONS), ...Object.keys(PROPAGATION_OPTIONS), ...Object.keys(RECURSIVE_OPTIONS), ...IGNORED].sort();

export function propagationFlags(name: string): number {
  const k = native().constants;
  return (PROPAGATION_OPTIONS[name] ?? []).reduce((acc, f) => acc | k[f], 0);
}

export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  const k = native().constants;
  const out: ParsedMountOptions = { flags: 0, clear: 0, propagation: 0, data: [], bind: false, recursive: false, recursiveSet: 0, recursiveClear: 0 };
  for (const opt of options) {
    if (opt === 'bind' || opt === 'rbind') {
      out.bind = true;
      out.recursive ||= opt === 'rbind';
    } else if (opt in FLAG_OPTIONS) {
      const [name, set] = FLAG_OPTIONS[opt];
      if (set) { out.flags |= k[name]; out.clear &= ~k[name]; }
      else { out.flags &= ~k[name]; out.clear |= k[name]; }
    } else if (opt in RECURSIVE_OPTIONS) {
      const [set, clear] = RECURSIVE_OPTIONS[opt];
      out.recursiveSet = (out.recursiveSet & ~clear) | set;
      out.recursiveClear = (out.recursiveClear & ~set) | clear;
    } else if (opt in PROPAGATION_OPTIONS) {
      out.propagation |= propagationFlags(opt);
    } else if (!IGNORED.has(opt)) {
      out.data.push(opt);
    }
  }
  return out;
}
