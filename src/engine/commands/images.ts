// skiff images: REPOSITORY TAG IMAGE ID CREATED SIZE, as `docker images`.
import { SkiffError } from '../../errors.js';
import { parseReference } from '../../image/reference.js';
import { isDangling, repoTags } from '../../image/images.js';
import { tabulate } from '../../util/table.js';
import { formatList } from '../../util/template.js';
import { ago, goTime, humanSize } from '../../util/human.js';
import { imageStore, type EngineGlobals } from '../context.js';

export interface ImagesFlags { all?: boolean; quiet?: boolean; digests?: boolean; noTrunc?: boolean; filter: string[]; format?: string }

// docker/cli formatter/image.go column names.
const IMAGE_HEADERS = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'SIZE',
};

export function imagesCommand(g: EngineGlobals, repo: string | undefined, f: ImagesFlags): void {
  const store = imageStore(g);
  let dangling: boolean | undefined;
  for (const filter of f.filter) {
    const [k, v] = filter.split('=');
    if (k !== 'dangling' || !['true', 'false'].includes(v)) throw new SkiffError(`invalid filter ${JSON.stringify(filter)}: supported is dangling=true|false`, 'invalid');
    dangling = v === 'true';
  }
  const want = repo ? parseReference(repo) : undefined;
  // "busybox" lists every tag of busybox; "busybox:1.0" only that tag.
  const wantTag = repo && /:[^/]*$/.test(repo) ? want!.tag : undefined;
  const rows: { repo: string; tag: string; id: string; created: string; size: number; digest: string }[] = [];
  for (const rec of store.images().sort((a, b) => Date.parse(b.config.created ?? '0') - Date.parse(a.config.created ?? '0'))) {
    const isNone = isDangling(store, rec);
    if (dangling !== undefined && dangling !== isNone) continue;
    const names = repoTags(store, rec.id);
    const entries = names.length ? names.map((n) => [n.slice(0, n.lastIndexOf(':')), n.slice(n.lastIndexOf(':') + 1)]) : [['<none>', '<none>']];
    for (const [r, tag] of entries) {
      if (want) {
        if (r === '<none>') continue;
        const have = parseReference(`${r}:${tag}`);
        if (have.registry !== want.registry || have.repository !== want.repository || (wantTag && have.tag !== wantTag)) continue;
      }
      const id = f.noTrunc ? rec.id : rec.id.slice(7, 19);
      rows.push({ repo: r, tag, id, created: rec.config.created ?? '', size: rec.size, digest: rec.repoDigests[0]?.split('@')[1] ?? '<none>' });
    }
  }
  if (f.quiet) {
    process.stdout.write([...new Set(rows.map((r) => r.id))].map((id) => id + '\n').join(''));
    return;
  }
  if (f.format) {
    // The fields of `docker images --format`, in the order {{json .}} prints them.
    const view = rows.map((r) => ({
      Containers: 'N/A', CreatedAt: r.created ? goTime(r.created) : '', CreatedSince: ago(r.created), Digest: r.digest, ID: r.id,
      Repository: r.repo, SharedSize: 'N/A', Size: humanSize(r.size), Tag: r.tag, UniqueSize: 'N/A', VirtualSize: humanSize(r.size),
    }));
    process.stdout.write(formatList(f.format, view, IMAGE_HEADERS, 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'));
    return;
  }
  const header = ['REPOSITORY', 'TAG', ...(f.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const table = rows.map((r) => [r.repo, r.tag, ...(f.digests ? [r.digest] : []), r.id, ago(r.created), humanSize(r.size)]);
  process.stdout.write(tabulate([header, ...table], 10, 3));
}
