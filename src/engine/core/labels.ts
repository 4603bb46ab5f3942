// docker's list filters (moby api/types/filters): the values of one key are
// alternatives, different keys must all match; except `label`, whose
// values must all match (MatchKVList: docker-compose lists a service's
// containers with label=project and label=service together).
import type { Filters } from '../api-types.js';

/** "key" matches a thing that has the label, "key=value" one whose label has that value. */
export function hasLabel(labels: Record<string, string> | undefined, filter: string): boolean {
  const i = filter.indexOf('=');
  const key = i < 0 ? filter : filter.slice(0, i);
  return !!labels && key in labels && (i < 0 || labels[key] === filter.slice(i + 1));
}

/** The items that pass every filter; `matches` says whether one item passes one key=value. */
export function applyFilters<T>(list: T[], filters: Filters, matches: (item: T, key: string, value: string) => boolean): T[] {
  for (const [key, values] of Object.entries(filters)) {
    list = list.filter((item) => (key === 'label' ? values.every((v) => matches(item, key, v)) : values.some((v) => matches(item, key, v))));
  }
  return list;
}
