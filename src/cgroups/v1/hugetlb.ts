// hugetlb controller: v1 hugetlb.<size>.limit_in_bytes, v2 hugetlb.<size>.max.
// Every listed limit is written, 0 included (0 forbids that page size).
import { writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources, version: 'v1' | 'v2' = 'v1'): void {
  for (const l of r.hugepageLimits ?? []) writeCgroup(dir, `hugetlb.${l.pageSize}.${version === 'v1' ? 'limit_in_bytes' : 'max'}`, l.limit);
}
