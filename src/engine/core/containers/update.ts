// update (POST /containers/{id}/update): new resource limits and restart
// policy for a container. The record keeps them (a later start uses them)
// and a running or paused container gets them at once through the
// runtime's update (runc update). The checks and their words are moby's
// (container/container.go UpdateContainer).
import { SkiffError } from '../../../errors.js';
import type { Resources } from '../../../cgroups/resources.js';
import * as runtime from '../../../runtime/index.js';
import { hostConfigOf, type HostConfig } from '../../containers.js';
import type { RestartPolicy } from '../../api-types.js';
import { recordContainerEvent } from '../../events.js';
import { isActive, withLockedContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { limitsOf } from '../../ocispec.js';

/** The body of POST /containers/{id}/update that skiff honours; 0 or absent leaves a value as it is. */
export interface UpdateConfig {
  CpuShares?: number; Memory?: number; MemorySwap?: number; CpuPeriod?: number; CpuQuota?: number;
  NanoCpus?: number; CpusetCpus?: string; PidsLimit?: number;
  RestartPolicy?: RestartPolicy;
}
export interface UpdateResponse { Warnings: string[] }

/** What the update changes, checked against the container's current settings. */
function merge(h: HostConfig, u: UpdateConfig): { next: HostConfig; changed: Partial<HostConfig> } {
  const conflict = (what: string) => new SkiffError(`Conflicting options: ${what}`, 'invalid');
  // NanoCpus is a CFS period/quota: one or the other, never both.
  if (u.NanoCpus && (u.CpuPeriod || u.CpuQuota)) throw conflict(`Nano CPUs and CPU ${u.CpuPeriod ? 'Period' : 'Quota'} cannot both be set`);
  if (u.NanoCpus && h.CpuPeriod) throw conflict('CPU Period cannot be updated as NanoCPUs has already been set');
  if (u.NanoCpus && h.CpuQuota) throw conflict('CPU Quota cannot be updated as NanoCPUs has already been set');
  if (u.CpuPeriod && h.NanoCpus) throw conflict('CPU Period cannot be updated as NanoCPUs has already been set');
  if (u.CpuQuota && h.NanoCpus) throw conflict('CPU Quota cannot be updated as NanoCPUs has already been set');
  if (u.Memory && h.MemorySwap && h.MemorySwap > 0 && u.Memory > h.MemorySwap && !u.MemorySwap)
    throw new SkiffError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time', 'invalid');
  if (u.RestartPolicy && h.AutoRemove && u.RestartPolicy.Name !== 'no')
    throw new SkiffError('Restart policy cannot be updated because AutoRemove is enabled for the container', 'invalid');
  const changed: Partial<HostConfig> = {};
  for (const k of ['CpuShares', 'Memory', 'MemorySwap', 'CpuPeriod', 'CpuQuota', 'NanoCpus', 'CpusetCpus'] as const)
    if (u[k]) (changed as Record<string, unknown>)[k] = u[k];
  // pids: 0 and -1 both mean unlimited (docker update --help).
  if (u.PidsLimit !== undefined) changed.PidsLimit = u.PidsLimit > 0 ? u.PidsLimit : -1;
  const next: HostConfig = { ...h, ...changed, ...(changed.PidsLimit === -1 ? { PidsLimit: 0 } : {}), ...(u.RestartPolicy ? { RestartPolicy: { Name: u.RestartPolicy.Name || 'no', MaximumRetryCount: u.RestartPolicy.MaximumRetryCount ?? 0 } } : {}) };
  return { next, changed };
}

/** The runtime's resources for just what changed (unlimited pids as -1, as runc update takes it). */
function liveResources(changed: Partial<HostConfig>): Resources {
  const r = limitsOf({ PidsLimit: 0, ...changed } as HostConfig);
  if (changed.PidsLimit === -1) r.pids = { limit: -1 };
  return r;
}

export function containerUpdate(ctx: CoreContext, ref: string, u: UpdateConfig): Promise<UpdateResponse> {
  const e = ctx.life;
  return withLockedContainer(e, ref, async (c) => {
    const { next, changed } = merge(hostConfigOf(c), u);
    const live = liveResources(changed);
    if (isActive(c) && Object.keys(live).length) {
      try {
        await runtime.update(e.runtime, c.Id, live);
      } catch (err) {
        throw new SkiffError(`Cannot update container ${c.Id}: ${(err as Error).message}`);
      }
    }
    c.HostConfig = next;
    e.containers.save(c);
    recordContainerEvent(e.g.root, c, 'update');
    return { Warnings: [] };
  });
}
