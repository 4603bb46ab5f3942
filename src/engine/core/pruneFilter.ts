// The filters of every prune (moby daemon/prune.go and its callers in
// daemon/containerd/image_prune.go, daemon/network.go, volume/service):
//   until=T     only what was created before T: an RFC 3339 time, a unix time, or a
//               duration before now ("10m"); at most one (moby: "more than one until filter")
//   label=k, label=k=v    only what has every one of these labels (MatchKVList)
//   label!=k, label!=k=v  not what has every one of these (moby's matchLabels)
// The CLI's `prune --filter` and the server's `filters` query both come here,
// so both refuse the same bad filters with the same sentence.
import { SkiffError } from '../../errors.js';
import { parseTime } from '../../util/human.js';
import type { Filters } from '../api-types.js';
import { hasLabel } from './labels.js';

export type PruneFilterKey = 'until' | 'label' | 'label!';

/** Says whether a thing created at `created` (ms) with `labels` may be pruned. */
export type PruneMatch = (created: number, labels: Record<string, string> | undefined) => boolean;

/** The filters as a predicate; `allowed` are the keys this kind of prune takes (volumes have no until). */
export function pruneMatcher(filters: Filters = {}, allowed: PruneFilterKey[] = ['until', 'label', 'label!']): PruneMatch {
  for (const key of Object.keys(filters)) {
    if (!(allowed as string[]).includes(key)) throw new SkiffError(`invalid filter '${key}'`, 'invalid');
  }
  const untils = filters.until ?? [];
  if (untils.length > 1) throw new SkiffError('more than one until filter specified', 'invalid');
  const until = untils.length ? parseTime(untils[0], `filter 'until'`) : undefined;
  const want = filters.label ?? [];
  const refuse = filters['label!'] ?? [];
  return (created, labels) =>
    (until === undefined || created < until) &&
    want.every((l) => hasLabel(labels, l)) &&
    !(refuse.length && refuse.every((l) => hasLabel(labels, l)));
}

/** `--filter key=value` flags as a filters map ({"label": ["a=b"]}); a flag without "=" is refused. */
export function filterFlags(flags: string[] = []): Filters {
  const out: Filters = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new SkiffError(`invalid filter ${JSON.stringify(f)}: use key=value`, 'invalid');
    (out[f.slice(0, i)] ??= []).push(f.slice(i + 1));
  }
  return out;
}
