// cgroup v2 freezer: cgroup.freeze, with "frozen 1" in cgroup.events once
// every task stopped (cgroup-v2.rst "Core Interface Files").
import { readKeyed, writeCgroup } from '../resources.js';
import { SkiffError } from '../../errors.js';

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function freeze(dir: string): void {
  writeCgroup(dir, 'cgroup.freeze', 1);
  for (let i = 0; i < 1000; i++) {
    if (readKeyed(dir, 'cgroup.events').frozen === 1) return;
    pause(5);
  }
  writeCgroup(dir, 'cgroup.freeze', 0);
  throw new SkiffError('cgroup: the cgroup did not freeze in 5 s');
}

export function thaw(dir: string): void {
  writeCgroup(dir, 'cgroup.freeze', 0);
}

export function isFrozen(dir: string): boolean {
  return readKeyed(dir, 'cgroup.freeze')['1'] !== undefined || readKeyed(dir, 'cgroup.events').frozen === 1;
}
