// The setup helper's trace reports (native/setup/trace.h) as TraceEvents.
// Frames: STEP, STEP_END, SYSCALL, SYSCALL_ENTER, each starting with the
// stage (setup, init) and the time in microseconds.
import type { Message } from './protocol.js';
import type { TraceArg, TraceEvent, TraceSource } from '../util/trace.js';

/** i:<n>, s:<text>, n:, d:<fd>:<path>, p:<fd>:<path> (trace.h). */
export function parseTraceArg(field: string): TraceArg {
  const kind = field.slice(0, 2);
  const rest = field.slice(2);
  if (kind === 'i:') return { i: Number(rest) };
  if (kind === 'n:') return { null: true };
  if (kind === 'd:' || kind === 'p:') {
    const colon = rest.indexOf(':');
    const fd = Number(rest.slice(0, colon));
    const path = rest.slice(colon + 1);
    return kind === 'd:' ? { fd, path } : { fdPath: fd, path };
  }
  return { s: kind === 's:' ? rest : field };
}

const stageOf = (s: string): TraceSource => (s === 'init' ? 'init' : 'setup');

/**
 * Reads the helper's frames in order. The step each call belongs to is the
 * last STEP its process began. A call entered but never reported (execve)
 * is completed at EOF: the trace fd is close-on-exec, so EOF after
 * SYSCALL_ENTER execve means the program runs.
 */
export class NativeTraceReader {
  private current: Partial<Record<TraceSource, string>> = {};
  private entered: Extract<TraceEvent, { kind: 'call' }> | undefined;
  private finished!: () => void;
  /** Resolves at the end of the trace: the init exec'd or died. */
  readonly done = new Promise<void>((resolve) => { this.finished = resolve; });

  constructor(private readonly emit: (e: TraceEvent) => void) {}

  push(m: Message): void {
    const [stage, usec, name, ...rest] = m.fields;
    const source = stageOf(stage);
    const time = Number(usec) / 1000;
    if (m.name === 'STEP') {
      this.current[source] = name;
      this.emit({ kind: 'step', time, source, step: name, args: rest });
    } else if (m.name === 'STEP_END') {
      this.emit({ kind: 'step_end', time, source, step: name, errno: Number(rest[0]) });
    } else if (m.name === 'SYSCALL_ENTER') {
      this.entered = { kind: 'call', time, source, step: this.current[source], name, args: rest.map(parseTraceArg) };
    } else if (m.name === 'SYSCALL') {
      const [ret, errno, ...args] = rest;
      const entered = this.entered?.name === name ? this.entered : undefined;
      this.entered = undefined;
      this.emit({
        kind: 'call', time: entered?.time ?? time, source, step: this.current[source], name,
        args: entered?.args ?? args.map(parseTraceArg), result: Number(ret), errno: Number(errno),
      });
    }
  }

  /** The helper's end of the trace socket closed. */
  end(): void {
    const e = this.entered;
    this.entered = undefined;
    if (e) this.emit({ ...e, result: 0, note: 'the trace fd closed on exec: the program runs' });
    this.finished();
  }
}
