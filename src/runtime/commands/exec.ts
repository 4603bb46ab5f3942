// skiff-runtime exec: run a process in a running container. The process is
// --process process.json, or the container's own process with the command
// line's args and overrides (as runc exec does).
import { forwardSignals, relayTerminal } from './terminal.js';
import { readFileSync } from 'node:fs';
import { SkiffError } from '../../errors.js';
import { containerSpec, exec } from '../lifecycle.js';
import { callerTerminalSize, runtimeOptions, type Globals } from '../globals.js';
import { StateStore } from '../state.js';
import { parseExecCgroups } from '../execCgroups.js';
import type { Process } from '../spec.js';

export interface ExecFlags {
  process?: string; tty?: boolean; consoleSocket?: string; env: string[]; cwd?: string; user?: string;
  cap: string[]; additionalGids: string[]; detach?: boolean; pidFile?: string; preserveFds: number; noNewPrivs?: boolean;
  cgroup: string[]; ignorePaused?: boolean;
}

function parseUser(user: string): { uid: number; gid?: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) throw new SkiffError(`invalid --user ${JSON.stringify(user)}: use uid[:gid] with numbers`, 'invalid');
  return { uid: Number(m[1]), gid: m[2] === undefined ? undefined : Number(m[2]) };
}

export function execProcess(base: Process, args: string[], f: ExecFlags): Process {
  if (f.process) {
    let p: Process;
    try {
      p = JSON.parse(readFileSync(f.process, 'utf8')) as Process;
    } catch (err) {
      throw new SkiffError(`--process ${f.process}: ${(err as Error).message}`);
    }
    // runc decodes the file into Go structs: an absent user, uid or gid is 0
    // (root), not an error.
    if (p && typeof p === 'object') p.user = { uid: 0, gid: 0, ...((p.user ?? {}) as Partial<Process['user']>) };
    return p;
  }
  if (args.length === 0) throw new SkiffError('exec needs a command (or --process process.json)', 'invalid');
  const p: Process = JSON.parse(JSON.stringify(base));
  p.args = args;
  p.terminal = !!f.tty;
  p.env = [...(p.env ?? []), ...f.env];
  if (f.cwd) p.cwd = f.cwd;
  if (f.user) {
    const u = parseUser(f.user);
    p.user = { ...p.user, uid: u.uid, gid: u.gid ?? p.user.gid };
  }
  if (f.additionalGids.length) p.user.additionalGids = f.additionalGids.map(Number);
  if (f.noNewPrivs) p.noNewPrivileges = true;
  if (f.cap.length) {
    const caps = p.capabilities ?? {};
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) caps[set] = [...new Set([...(caps[set] ?? []), ...f.cap])];
    p.capabilities = caps;
  }
  return p;
}

export async function execCommand(g: Globals, id: string, args: string[], f: ExecFlags): Promise<number> {
  const spec = containerSpec(new StateStore(g.root), id);
  const process = execProcess(spec.process!, args, f);
  return exec(runtimeOptions(g), id, {
    process, detach: !!f.detach, pidFile: f.pidFile, preserveFds: f.preserveFds, consoleSocket: f.consoleSocket,
    cgroups: parseExecCgroups(f.cgroup), ignorePaused: f.ignorePaused, whileRunning: forwardSignals, relayTerminal, terminalSize: callerTerminalSize(),
  });
}
