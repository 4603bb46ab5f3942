// Facts about host processes from /proc (proc(5)). A pid alone is not an
// identity (pids are reused), so the state keeps the init's start time too.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcStat { state: string; ppid: number; startTime: number }

export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parens: split after the last ")".
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], ppid: Number(rest[1]), startTime: Number(rest[19]) };
}

/** True while pid is the same process (start time matches) and not a zombie. */
export function isAlive(pid: number, startTime: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the process is gone or a zombie; false on timeout. */
export async function waitGone(pid: number, startTime: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid, startTime)) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

export function namespaceInode(pid: number | 'self', type: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${type}`);
  } catch {
    return undefined;
  }
}

/** Pids whose pid namespace is `pidns` (when the container has its own). */
export function pidsInPidNamespace(pidns: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (namespaceInode(Number(entry), 'pid') === pidns) out.push(Number(entry));
  }
  return out;
}
