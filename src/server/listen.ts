// Where `skiff serve` listens: -H addresses as dockerd takes them
// (unix:///path, tcp://addr:port), and the unix socket's own rules: a stale
// socket file left by a dead server is replaced, a live one is refused, and
// the socket is 0660 with group `docker` when that group exists, else 0600
// (dockerd's rule: membership of `docker` is what grants access).
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { SkiffError } from '../errors.js';

export const DEFAULT_HOST = 'unix:///run/skiff/docker.sock';

export type Address = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number } | { kind: 'fd'; fd: number };

export function parseHost(spec: string): Address {
  if (spec.startsWith('unix://')) {
    const path = spec.slice('unix://'.length);
    if (!path.startsWith('/')) throw new SkiffError(`invalid -H ${JSON.stringify(spec)}: a unix socket needs an absolute path (unix:///run/skiff/docker.sock)`);
    return { kind: 'unix', path };
  }
  // fd://N: a listening socket inherited from a service manager (systemd's
  // socket activation, sd_listen_fds(3)); the CLI expands a bare fd://.
  const fd = /^fd:\/\/(\d+)$/.exec(spec);
  if (fd) return { kind: 'fd', fd: Number(fd[1]) };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/]+):(\d{1,5})$/.exec(spec);
  if (tcp && Number(tcp[2]) <= 65535) return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  throw new SkiffError(`invalid -H ${JSON.stringify(spec)}: use unix:///PATH, tcp://ADDRESS:PORT or fd://N`);
}

export function formatAddress(a: Address): string {
  if (a.kind === 'fd') return `fd://${a.fd}`;
  return a.kind === 'unix' ? `unix://${a.path}` : `tcp://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/**
 * -H fd:// takes every socket the service manager passed: LISTEN_FDS of
 * them from fd 3 on, meant for us when LISTEN_PID is our pid (sd_listen_fds(3)).
 */
export function expandSocketActivation(hosts: string[], env: { LISTEN_FDS?: string; LISTEN_PID?: string }, pid: number): string[] {
  return hosts.flatMap((h) => {
    if (h !== 'fd://') return [h];
    const count = Number(env.LISTEN_FDS ?? 0);
    if (Number(env.LISTEN_PID) !== pid || !Number.isInteger(count) || count < 1)
      throw new SkiffError('-H fd:// needs sockets from a service manager (LISTEN_FDS and LISTEN_PID are not set for this process)');
    return Array.from({ length: count }, (_, i) => `fd://${3 + i}`);
  });
}

/** Whether something accepts connections on the unix socket at path. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Makes the path free for a new socket: nothing there, or a socket nobody
 * answers on (its server died without removing it). A live server's socket,
 * or a file that is not a socket, is never removed.
 */
export async function claimSocketPath(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new SkiffError(`${path} exists and is not a socket: remove it or choose another -H`);
  if (await socketAnswers(path)) throw new SkiffError(`another server is listening on unix://${path}: stop it first or choose another -H`);
  unlinkSync(path);
}

/** The gid of a group in /etc/group, or undefined. */
function groupId(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [n, , gid] = line.split(':');
      if (n === name && /^\d+$/.test(gid ?? '')) return Number(gid);
    }
  } catch { /* no /etc/group */ }
  return undefined;
}

/**
 * Access to the socket is access to root on this host, so it is 0600 unless
 * the admin made a `docker` group. Until this runs the socket has the mode
 * the umask gave it (0755 under root's 022: no write bit, so nobody else
 * can connect in between).
 */
export function restrictSocket(path: string): void {
  const gid = groupId('docker');
  if (gid === undefined) {
    chmodSync(path, 0o600);
    return;
  }
  chownSync(path, 0, gid);
  chmodSync(path, 0o660);
}
