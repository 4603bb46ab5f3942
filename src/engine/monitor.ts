// Starting a container's monitor (native/monitor/monitor.cc) and finding its
// files. The monitor is spawned detached (its own session) so that it
// outlives this command; it starts the setup helper at once with our end of
// the channel at its fd 3, so `create` talks to the helper as usual while
// the init ends up as the monitor's child.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { monitorPath, setupHelperPath, skiffProgram } from '../native.js';
import { procStat } from '../runtime/processes.js';
import { lastLineSince, openAppendLog } from '../util/files.js';
import type { ContainerRecord } from './containers.js';
import { traceStep } from '../util/trace.js';

/**
 * Sockets live in /run/skiff/<id>: a unix socket path must fit in 108 bytes
 * (unix(7)), which a deep --root would overflow.
 */
export function socketsDir(id: string): string {
  return join('/run/skiff', id);
}

export function attachSocket(id: string): string {
  return join(socketsDir(id), 'attach.sock');
}

export function consoleSocket(id: string): string {
  return join(socketsDir(id), 'console.sock');
}

export interface ContainerFiles { dir: string; log: string; exitStatus: string; initPid: string; monitorLog: string }

export function containerFiles(containersDir: string, id: string): ContainerFiles {
  const dir = join(containersDir, id);
  return {
    dir, log: join(dir, `${id}-json.log`), exitStatus: join(dir, 'exit.json'), initPid: join(dir, 'init.pid'),
    monitorLog: join(dir, 'monitor.log'),
  };
}

export interface SpawnedMonitor {
  pid: number;
  startTime: number;
  channel: Socket;
  /** Where this monitor's lines begin in monitor.log. */
  logStart: number;
}

/** The command the monitor runs after each exit: `skiff container cleanup ID` (restart, --rm). */
function exitCommand(root: string, id: string): string[] {
  const { node, cli } = skiffProgram();
  return [node, cli, '--root', resolve(root), 'container', 'cleanup', '--setup-fd', '3', id];
}

export function spawnMonitor(root: string, files: ContainerFiles, c: ContainerRecord): SpawnedMonitor {
  const args = ['--setup', setupHelperPath(), '--state-dir', files.dir, '--sockets', socketsDir(c.Id), '--log', files.log];
  if (c.Config.Tty) args.push('--tty');
  if (c.Config.OpenStdin) args.push('--stdin');
  args.push('--', ...exitCommand(root, c.Id));
  mkdirSync(dirname(socketsDir(c.Id)), { recursive: true, mode: 0o700 });
  const log = openAppendLog(files.monitorLog);
  try {
    traceStep('monitor_spawn', monitorPath(), ...args);
    const child = spawn(monitorPath(), args, { detached: true, stdio: ['ignore', log.fd, log.fd, 'pipe'] });
    child.unref();
    const channel = child.stdio[3] as Socket;
    const pid = child.pid ?? 0;
    return { pid, startTime: procStat(pid)?.startTime ?? 0, channel, logStart: log.start };
  } finally {
    closeSync(log.fd);
  }
}

/** After the monitor is gone: its sockets directory (it removes it itself when it exits cleanly). */
export function removeSockets(id: string): void {
  rmSync(socketsDir(id), { recursive: true, force: true });
}

/** This monitor's last complaint (its stderr goes to monitor.log), for an error message. */
export function monitorComplaint(files: ContainerFiles, monitor: SpawnedMonitor): string | undefined {
  return lastLineSince(files.monitorLog, monitor.logStart);
}
