// Two kinds of tracing, both off unless asked for:
//
// - trace(phase): SKIFF_TRACE=1 prints the time (ms since process start) at
//   each phase of a command to stderr: how bench/ finds where wall-clock time goes.
// - the course trace (`--trace`, docs/labs/): engine and runtime code report
//   the steps they take and the calls they make as TraceEvents; the CLI sets
//   the sink that prints them (setTraceSink). Nothing below the CLI knows
//   where they go. The setup helper's reports arrive as the same events
//   (src/runtime/nativeTrace.ts). Phases passed to trace() also reach the sink.
const enabled = !!process.env.SKIFF_TRACE;

/** Who reported: Node (the engine or runtime command), the setup helper, or the container init. */
export type TraceSource = 'engine' | 'runtime' | 'setup' | 'init';

/** One argument of a call: a string, an integer, NULL, or a fd / fd path with what it names. */
export type TraceArg =
  | { s: string }
  | { i: number }
  | { null: true }
  | { fd: number; path: string }
  | { fdPath: number; path: string };

export type TraceEvent =
  | { kind: 'step'; time: number; source: TraceSource; step: string; args: string[] }
  | { kind: 'step_end'; time: number; source: TraceSource; step: string; errno: number }
  | { kind: 'call'; time: number; source: TraceSource; step?: string; name: string; args: TraceArg[]; result?: number; errno?: number; note?: string };

export type TraceSink = (event: TraceEvent) => void;

let sink: TraceSink | undefined;
let sinkSource: TraceSource = 'runtime';

/** Set by a CLI for --trace; undefined turns tracing off. */
export function setTraceSink(s: TraceSink | undefined, source: TraceSource = 'runtime'): void {
  sink = s;
  sinkSource = source;
}

export function tracing(): boolean {
  return sink !== undefined;
}

/** Wall-clock milliseconds with microseconds, the helper's clock too. */
export const traceNow = (): number => performance.timeOrigin + performance.now();

export function traceEvent(e: TraceEvent): void {
  sink?.(e);
}

/** A step Node takes (cgroup_create, overlay_mount, veth, ...), with what it acts on. */
export function traceStep(step: string, ...args: (string | number)[]): void {
  sink?.({ kind: 'step', time: traceNow(), source: sinkSource, step, args: args.map(String) });
}

/** A call Node made, once it returned (result 0 unless given) or failed (err). */
export function traceCall(name: string, args: (string | number | null)[], err?: NodeJS.ErrnoException, result = 0): void {
  if (!sink) return;
  const targs: TraceArg[] = args.map((a) => (a === null ? { null: true } : typeof a === 'number' ? { i: a } : { s: a }));
  sink({ kind: 'call', time: traceNow(), source: sinkSource, name, args: targs, result: err ? -1 : result, errno: err ? (-(err.errno ?? 0) || 0) : 0 });
}

export function trace(phase: string): void {
  if (enabled) process.stderr.write(`trace: ${performance.now().toFixed(1).padStart(7)} ms ${phase}\n`);
  if (sink) traceStep(phase.replace(/: /, ':').replace(/ /g, '_'));
}
