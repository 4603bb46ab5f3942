// Column alignment like Go's text/tabwriter as runc and docker configure it:
// each column as wide as its widest cell plus padding, at least minWidth.
export function tabulate(rows: string[][], minWidth = 12, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length + padding, minWidth); });
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('').trimEnd() + '\n')
    .join('');
}
