// skiff exec [-i] [-t] [-d] [-e] [-w] [-u] NAME COMMAND...: one more process in
// a running container, through the runtime's exec (same namespaces, cgroups,
// capabilities and seccomp as the container's init). Without -d it returns
// the command's exit code; 126/127 when it cannot be run or found.
import { forwardSignals, relayTerminal } from '../../../runtime/commands/terminal.js';
import { SkiffError, describe, kindOf } from '../../../errors.js';
import * as runtime from '../../../runtime/index.js';
import type { EngineGlobals } from '../../context.js';
import { engine, exitCodeFor, isActive, refresh } from '../../lifecycle.js';
import { resolveUser, withHome } from '../../ocispec.js';
import { rootfsPaths } from '../../rootfs.js';
import { mergeEnv } from './create.js';

export interface ExecFlags { interactive?: boolean; tty?: boolean; detach?: boolean; env: string[]; workdir?: string; user?: string; privileged?: boolean }

/** The container to exec in: found and running, or an error with its kind. */
async function runningContainer(e: ReturnType<typeof engine>, name: string) {
  const found = e.containers.find(name);
  const c = await refresh(e, found.Id);
  if (!c || !isActive(c)) throw new SkiffError(`container ${found.Id} is not running`, 'conflict');
  if (c.State.Status === 'restarting') throw new SkiffError(`container ${found.Id} is restarting, wait until the container is running`, 'conflict');
  return c;
}

export async function execCommand(g: EngineGlobals, name: string, command: string[], f: ExecFlags): Promise<number> {
  const e = engine(g);
  if (!command.length) throw new SkiffError('exec needs a command to run', 'invalid');
  let c;
  try {
    c = await runningContainer(e, name);
  } catch (err) {
    // docker exec: what the daemon refuses (no such container, not running)
    // is a plain error, exit 1, not docker's own 125.
    if (kindOf(err) !== 'not-found' && kindOf(err) !== 'conflict') throw err;
    process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
    return 1;
  }
  const spec = runtime.spec(e.runtime, c.Id);
  const base = spec.process!;
  const root = rootfsPaths(e.containers.containerDir(c.Id)).merged;
  const user = f.user !== undefined ? resolveUser(root, f.user) : undefined;
  // The init's HOME is its user's; another -u gets its own (runc sets HOME per process), unless the container's env set it.
  const inherited = user && !c.Config.Env.some((x) => x.startsWith('HOME=')) ? (base.env ?? []).filter((x) => !x.startsWith('HOME=')) : base.env ?? [];
  const proc = {
    ...base,
    terminal: !!f.tty,
    args: command,
    env: withHome(mergeEnv(inherited, f.env), (user ?? resolveUser(root, c.Config.User)).home),
    cwd: f.workdir ?? base.cwd,
    ...(user ? { user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } } : {}),
  };
  if (f.tty && !process.stdin.isTTY && f.interactive) {
    process.stderr.write('the input device is not a TTY\n'); // docker exec -it refuses it (exit 1)
    return 1;
  }
  try {
    return await runtime.exec(e.runtime, c.Id, {
      process: proc, detach: !!f.detach, preserveFds: 0,
      stdin: f.interactive && !f.detach ? 'inherit' : 'ignore', whileRunning: forwardSignals, relayTerminal,
      terminalSize: process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined,
    });
  } catch (err) {
    const code = exitCodeFor(err as Error);
    if (code === 125) throw err;
    process.stderr.write(`skiff: OCI runtime exec failed: ${describe(err as Error)}\n`);
    return code;
  }
}
