// Global flags shared by every skiff-runtime command, and the log they feed.
import { appendFileSync } from 'node:fs';
import type { RuntimeOptions } from './lifecycle.js';

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

/** One entry as logrus writes it in text format (runc's --log default). */
export function textLogLine(level: string, msg: string, time = new Date().toISOString()): string {
  return `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
}

export function runtimeOptions(g: Globals): RuntimeOptions {
  // --debug without --log: the entries go to stderr, in runc's layout
  // (level=debug), which engines that capture a runtime's stderr parse.
  const debug = g.debug ? (line: string) => { logLine(g, 'debug', line); if (!g.log) process.stderr.write(textLogLine('debug', line) + '\n'); } : undefined;
  return { root: g.root, debug };
}
