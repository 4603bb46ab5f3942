// cgroup v1 freezer (cgroup-v1/freezer-subsystem.rst): FROZEN is reached
// asynchronously, so freeze() waits until the state says so.
import { readCgroup, writeCgroup } from '../resources.js';
import { SkiffError } from '../../errors.js';

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function freeze(dir: string): void {
  for (let i = 0; i < 1000; i++) {
    writeCgroup(dir, 'freezer.state', 'FROZEN');
    if (readCgroup(dir, 'freezer.state') === 'FROZEN') return;
    pause(5);
  }
  writeCgroup(dir, 'freezer.state', 'THAWED');
  throw new SkiffError('cgroup: the freezer did not reach FROZEN in 5 s');
}

export function thaw(dir: string): void {
  writeCgroup(dir, 'freezer.state', 'THAWED');
}

export function isFrozen(dir: string): boolean {
  try {
    return readCgroup(dir, 'freezer.state') !== 'THAWED';
  } catch {
    return false;
  }
}
