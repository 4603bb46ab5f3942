// runc's log layout (logrus text format), for --log and --debug lines: its
// own file because both the runtime's CLI globals and its lifecycle write it.

/** One entry as logrus writes it in text format (runc's --log default). */
export function textLogLine(level: string, msg: string, time = new Date().toISOString()): string {
  return `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
}
