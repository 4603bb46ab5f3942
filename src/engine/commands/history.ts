// skiff history IMAGE: IMAGE CREATED CREATED BY SIZE COMMENT, newest first.
import { resolveImage } from '../../image/images.js';
import { tabulate } from '../../util/table.js';
import { ago, humanSize } from '../../util/human.js';
import { imageStore, type EngineGlobals } from '../context.js';

export function historyCommand(g: EngineGlobals, image: string, f: { noTrunc?: boolean; quiet?: boolean }): void {
  const store = imageStore(g);
  const rec = resolveImage(store, image);
  let layer = rec.layers.length;
  const rows = [...(rec.config.history ?? [])].reverse().map((h, i) => {
    const size = h.empty_layer ? 0 : rec.layers[--layer]?.size ?? 0;
    const createdBy = h.created_by ?? '';
    return [i === 0 ? (f.noTrunc ? rec.id : rec.id.slice(7, 19)) : '<missing>', ago(h.created),
      f.noTrunc || createdBy.length <= 45 ? createdBy : createdBy.slice(0, 44) + '…', humanSize(size), h.comment ?? ''];
  });
  if (f.quiet) { process.stdout.write(rows.map((r) => r[0] + '\n').join('')); return; }
  process.stdout.write(tabulate([['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], ...rows], 10, 3));
}
