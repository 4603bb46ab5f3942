// Pull progress as `docker pull` prints it: on a terminal, one line per
// layer redrawn in place with a bar; otherwise one line per state change.
import type { Progress } from '../image/pull.js';
import { humanSize } from '../util/human.js';

function bar(current: number, total: number): string {
  const width = 50;
  const done = total ? Math.min(width, Math.floor((current / total) * width)) : 0;
  return `[${'='.repeat(Math.max(0, done - 1))}${done ? '>' : ''}${' '.repeat(width - done)}] ${humanSize(current)}/${humanSize(total)}`;
}

export function progressFor(out: NodeJS.WriteStream, quiet: boolean): Progress {
  if (quiet) return { layer() {}, line() {} };
  if (!out.isTTY) {
    const last = new Map<string, string>();
    return {
      layer(id, status) {
        if (last.get(id) === status) return; // byte counts only on a terminal
        last.set(id, status);
        out.write(`${id}: ${status}\n`);
      },
      line(text) { out.write(text + '\n'); },
    };
  }
  const order: string[] = [];
  const text = new Map<string, string>();
  let drawn = 0;
  const redraw = () => {
    if (drawn) out.write(`\x1b[${drawn}A`);
    for (const id of order) out.write(`\x1b[2K${id}: ${text.get(id)}\n`);
    drawn = order.length;
  };
  return {
    layer(id, status, current, total) {
      if (!text.has(id)) order.push(id);
      text.set(id, current !== undefined && total ? `${status} ${bar(current, total)}` : status);
      redraw();
    },
    line(t) { out.write(t + '\n'); drawn = 0; order.length = 0; },
  };
}
