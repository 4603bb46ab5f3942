// skiff history IMAGE: IMAGE CREATED CREATED BY SIZE COMMENT, newest first.
import { tabulate } from '../../util/table.js';
import { ago, humanSize } from '../../util/human.js';
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export function historyCommand(g: EngineGlobals, image: string, f: { noTrunc?: boolean; quiet?: boolean }): void {
  const rows = cliEngine(g).imageHistory(image).map((h) => {
    const id = h.Id === '<missing>' || f.noTrunc ? h.Id : h.Id.slice(7, 19);
    return [id, ago(h.Created ? new Date(h.Created * 1000).toISOString() : undefined),
      f.noTrunc || h.CreatedBy.length <= 45 ? h.CreatedBy : h.CreatedBy.slice(0, 44) + '…', humanSize(h.Size), h.Comment];
  });
  if (f.quiet) { process.stdout.write(rows.map((r) => r[0] + '\n').join('')); return; }
  process.stdout.write(tabulate([['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], ...rows], 10, 3));
}
