// The course-track flags both command lines share (docs/labs/README.md):
// --trace / --trace=json, --stop-at STEP, --debug-skip-step NAME. Only CLI
// code imports this file: it is where the trace sink meets stderr and where
// a paused setup meets the learner's keyboard.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { traceWriter } from '../runtime/traceFormat.js';
import { setTraceSink, type TraceSource } from './trace.js';
import type { PauseInfo } from '../runtime/lifecycle.js';

export interface CourseFlags { trace?: boolean; traceFormat?: 'text' | 'json'; stopAt?: string; debugSkipStep?: string[] }

const collect = (v: string, acc: string[]) => [...acc, v];

function traceFormat(v: string): 'text' | 'json' {
  if (v !== 'text' && v !== 'json') throw new InvalidArgumentError('must be text or json');
  return v;
}

/**
 * `--trace=json` is how the issue and docs spell it; commander would read
 * `--trace <optional value>` as taking the container id after it, so the
 * token is split here: `--trace=F` becomes `--trace --trace-format F`.
 * Only up to `--`: later tokens belong to the container's command.
 */
export function splitTraceFlag(argv: string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const a of argv) {
    if (a === '--') passthrough = true;
    const m = !passthrough && /^--trace=(.*)$/.exec(a);
    if (m) out.push('--trace', '--trace-format', m[1]);
    else out.push(a);
  }
  return out;
}

export function traceFlags(cmd: Command): Command {
  return cmd
    .option('--trace', 'print each setup step and system call as it happens (--trace=json: one JSON object a line)')
    .option('--trace-format <format>', 'text or json (what --trace=json sets)', traceFormat);
}

export function stepFlags(cmd: Command): Command {
  return cmd
    .option('--stop-at <step>', 'pause the container setup before this plan step, say how to look at it, wait for Enter or SIGUSR1')
    .option('--debug-skip-step <name>', 'course/debug tool: leave this step out of the plan (NAME, NAME:ARG, clone:TYPE); repeatable', collect, []);
}

/** Installs the trace sink (stderr) when --trace was given. */
export function startTrace(f: CourseFlags, source: TraceSource): void {
  if (!f.trace && !f.traceFormat) return;
  setTraceSink(traceWriter(f.traceFormat ?? 'text', (line) => process.stderr.write(line)), source);
}

/** The lines a learner reads when --stop-at paused the setup. */
export function pauseMessage(program: string, p: PauseInfo): string {
  const [first, ...more] = p.cgroupDirs;
  const procs = first ? [`    cat ${first}/cgroup.procs   # its cgroup; the limit files are beside it`] : [];
  if (more.length) procs.push(`    ls -d ${more.join(' ')}   # the same cgroup in the other hierarchies`);
  return [
    `${program}: stopped before step ${p.step}; the container's init is PID ${p.pid} (skiff:[1:INIT]).`,
    '  look at the half-made container from another shell:',
    `    ls -l /proc/${p.pid}/ns                # its namespaces; compare with /proc/self/ns`,
    `    cat /proc/${p.pid}/mountinfo           # its mounts, as it sees them`,
    `    nsenter -t ${p.pid} -m -u -i -n -p sh    # a shell in its namespaces (the host's root until pivot_root)`,
    `    grep -E 'Uid|Gid|Cap|NoNewPrivs|Seccomp' /proc/${p.pid}/status   # its credentials`,
    ...procs,
    `    ls ${p.stateDir}        # the runtime's state for it`,
    `  then press Enter here, or run: kill -USR1 ${p.pid}`,
  ].join('\n') + '\n';
}

/**
 * The --stop-at handler: print where to look, then continue the init with
 * SIGUSR1 when the learner presses Enter (when stdin is a terminal). The
 * returned stop() ends the wait for Enter once setup is over.
 */
export function pauseHandler(program: string): { onPaused: (p: PauseInfo) => void; stop: () => void } {
  let listening: ((chunk: Buffer) => void) | undefined;
  const stop = () => {
    if (listening) process.stdin.off('data', listening);
    listening = undefined;
    if (process.stdin.isTTY) process.stdin.pause();
  };
  const onPaused = (p: PauseInfo) => {
    process.stderr.write(pauseMessage(program, p));
    if (!process.stdin.isTTY) return;
    stop();
    listening = (chunk: Buffer) => {
      if (!chunk.includes(10)) return;
      stop();
      try { process.kill(p.pid, 'SIGUSR1'); } catch { /* the init is gone; setup reports it */ }
    };
    process.stdin.on('data', listening);
    process.stdin.resume();
  };
  return { onPaused, stop };
}
