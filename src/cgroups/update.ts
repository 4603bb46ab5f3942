// What `update` changes, by runc's rules (runc update.go at v1.1.5):
//  - only these fields are taken from the input: memory.limit, reservation
//    and swap; every cpu field; blockIO.weight; pids.limit; unified. The
//    rest (devices, hugepageLimits, throttles, swappiness...) is what the
//    container was created with, and update leaves it as it is;
//  - 0 or "" means "leave it alone", as at create: dockerd's and
//    containerd's update requests carry 0 for every field they do not change;
//  - cpu period and quota are one setting on cgroup v2 (cpu.max "quota
//    period"): when only one is given the other is the container's current
//    one, not the kernel default.
import { isSetNumber, type Resources } from './resources.js';

export interface UpdatePlan {
  /** What to write now. */
  apply: Resources;
  /** The container's resources after the update (kept in its config). */
  stored: Resources;
}

export function planUpdate(current: Resources, change: Resources): UpdatePlan {
  const m = change.memory, c = change.cpu;
  const apply: Resources = {};
  if (m) apply.memory = pick(m, ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP']);
  if (c) {
    apply.cpu = pick(c, ['shares', 'quota', 'period', 'realtimeRuntime', 'realtimePeriod', 'cpus', 'mems']);
    const both = isSetNumber(c.period) === isSetNumber(c.quota);
    if (!both && isSetNumber(c.period) && isSetNumber(current.cpu?.quota)) apply.cpu.quota = current.cpu.quota;
    if (!both && isSetNumber(c.quota) && isSetNumber(current.cpu?.period)) apply.cpu.period = current.cpu.period;
  }
  if (change.blockIO?.weight !== undefined) apply.blockIO = { weight: change.blockIO.weight };
  if (change.pids?.limit !== undefined) apply.pids = { limit: change.pids.limit };
  if (change.unified && Object.keys(change.unified).length) apply.unified = change.unified;

  // Stored: the current resources with every set field of `apply` over them.
  const stored: Resources = { ...current };
  for (const key of ['memory', 'cpu', 'blockIO', 'pids'] as const) {
    const given = apply[key] as Record<string, unknown> | undefined;
    if (!given) continue;
    const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null && v !== 0 && v !== ''));
    if (Object.keys(set).length) (stored as Record<string, unknown>)[key] = { ...(current[key] as object), ...set };
  }
  if (apply.unified) stored.unified = { ...current.unified, ...apply.unified };
  return { apply, stored };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
