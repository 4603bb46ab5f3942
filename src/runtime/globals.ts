// Global flags shared by every skiff-runtime command, and the log they feed.
import { appendFileSync } from 'node:fs';
import type { RuntimeOptions } from './lifecycle.js';
import { textLogLine } from './logFormat.js';

export interface Globals {
  root: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
}

/** Appends one entry to --log in runc's formats (logrus text or JSON lines). */
export function logLine(g: Globals, level: 'debug' | 'error', msg: string): void {
  if (!g.log) return;
  const time = new Date().toISOString();
  const line = g.logFormat === 'json'
    ? JSON.stringify({ level, msg, time })
    : textLogLine(level, msg, time);
  try {
    appendFileSync(g.log, line + '\n');
  } catch {
    // The log is best effort; the error still reaches stderr.
  }
}

/** Our terminal's [rows, columns], for a pty's first size (the CLI reads the process; the runtime does not). */
export function callerTerminalSize(): [number, number] | undefined {
  return process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined;
}

export { textLogLine };

export function runtimeOptions(g: Globals): RuntimeOptions {
  // --debug without --log: the entries go to stderr, in runc's layout
  // (level=debug), which engines that capture a runtime's stderr parse.
  const debug = g.debug ? (line: string) => { logLine(g, 'debug', line); if (!g.log) process.stderr.write(textLogLine('debug', line) + '\n'); } : undefined;
  // Warnings in runc's layout too (logrus: level=warning), where engines and runc's tests look for them.
  return { root: g.root, debug, warn: (line) => process.stderr.write(textLogLine('warning', line) + '\n') };
}
