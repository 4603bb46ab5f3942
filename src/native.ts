// The typed seam in front of the C++ side (native/). Everything the addon
// exports is declared here; nothing else imports the .node file directly.
// Unit tests may inject a fake through setNative(); integration tests never do.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeConstants {
  [name: string]: number;
}

export interface Native {
  /** flock(2). Returns false only when nonblocking and the lock is busy. */
  flock(fd: number, exclusive: boolean, nonblocking: boolean): boolean;
  /** mkfifo(3) with the exact mode (umask not applied). */
  mkfifo(path: string, mode: number): void;
  /** socketpair(AF_UNIX, SOCK_STREAM), both ends close-on-exec. */
  socketpair(): [number, number];
  /** A fd received with SCM_RIGHTS, or -1 when none is waiting (non-blocking). */
  recvFd(socket: number): number;
  /** TIOCSWINSZ. */
  setWinsize(fd: number, rows: number, cols: number): void;
  /** A non-blocking listening unix socket at path. */
  unixListen(path: string): number;
  /** A connected socket, or -1 when nobody is waiting (non-blocking). */
  unixAccept(listener: number): number;
  /** mount(2), for the engine's host-side mounts (overlayfs roots). */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2); false when nothing was mounted there. */
  umount2(target: string, flags: number): boolean;
  /** mknod(2); mode includes the S_IF* type. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** lsetxattr(2) / lgetxattr(2): never follow a symlink. */
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  /**
   * rtnetlink steps (native/addon/netlink.cc), in order, on a thread of their
   * own that first joins the network namespace at `netns` (null: ours).
   * Steps: bridge_add NAME | veth_add_into HOST PEER NSPATH MAC |
   * link_delete NAME | link_up NAME | link_set_master NAME BRIDGE |
   * addr_add NAME CIDR | route_add_default GATEWAY. Throws a system error
   * naming the step.
   */
  netlink(netns: string | null, steps: string[][]): void;
  /** sendmsg(2) of data with fds attached (SCM_RIGHTS). */
  sendWithFds(socket: number, data: Buffer, fds: number[]): void;
  /** One recvmsg(2) of at most maxBytes, waiting at most timeoutMs (ETIMEDOUT); empty data at EOF. */
  recvWithFds(socket: number, maxBytes: number, timeoutMs: number): { data: Buffer; fds: number[] };
  dup2(from: number, to: number): void;
  /** A close-on-exec copy of fd (F_DUPFD_CLOEXEC), in blocking mode. */
  dupCloexec(fd: number): number;
  /** SO_PEERCRED: who is at the other end of a unix socket. */
  peerCred(socket: number): { pid: number; uid: number; gid: number };
  closeFd(fd: number): void;
  /**
   * A libzstd stream (native/addon/zstd.cc): `compress` with a level, or
   * decompress. transform() works one chunk on a pool thread; with `end` it
   * finishes the frame (compress) or checks the last frame was whole.
   */
  ZstdStream: new (compress: boolean, level: number) => {
    transform(input: Buffer, end: boolean, cb: (err: Error | null, chunks: Buffer[]) => void): void;
  };
  /**
   * A gzip layer inflated and hashed on the pool (native/addon/gunzip.cc):
   * write() hands over the next pieces of the blob (or null: go on with the
   * last ones; a job stops after 8 MiB of output, `more` says input is left)
   * and gets the tar bytes; digests() gives both sha256s once `end` is done.
   */
  GunzipHasher: new () => {
    write(pieces: Buffer[] | null, end: boolean, cb: (err: Error | null, chunks: Buffer[], more: boolean) => void): void;
    digests(): { blob: string; blobBytes: number; diffID: string; tarBytes: number };
  };
  /** MS_*, RLIMIT_*, O_*, CAP_*, S_IF* from this machine's headers. */
  constants: NativeConstants;
}

/** The repository root: dist/src/native.js -> ../.. ; src/native.ts -> .. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('skiff: cannot find the project root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

const buildDirs = ['build/Release', 'build/Debug'].map((d) => resolve(projectRoot, d));

function findBuilt(name: string): string {
  for (const dir of buildDirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    `skiff: native build output ${name} not found (looked in ${buildDirs.join(', ')}); run 'make build'`,
  );
}

let loaded: Native | undefined;

export function native(): Native {
  if (!loaded) loaded = createRequire(import.meta.url)(findBuilt('skiff_native.node')) as Native;
  return loaded;
}

/** For unit tests: replace the addon with a recording fake. */
export function setNative(fake: Native | undefined): void {
  loaded = fake;
}

/** Path of the setup helper executable (native/setup). */
/**
 * The skiff CLI that the engine's helpers run: the monitor's exit command
 * (`skiff container cleanup`) and a user network's DNS server. Named from
 * the package, never from process.argv[1]: inside a program that embeds
 * the engine, argv[1] is that program.
 */
export function skiffProgram(): { node: string; cli: string } {
  return { node: process.execPath, cli: join(projectRoot, 'bin', 'skiff.js') };
}

export function setupHelperPath(): string {
  return findBuilt('skiff-setup');
}

/** The per-container monitor (native/monitor) and the --init program (native/init). */
export function monitorPath(): string {
  return findBuilt('skiff-monitor');
}

export function initProgramPath(): string {
  return findBuilt('skiff-init');
}
