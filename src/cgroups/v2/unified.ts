// linux.resources.unified (config-linux.md "Unified"): cgroup v2 files by
// name, written last so they override what the other fields set, as runc's
// fs2 setUnified does. Only a cgroup v2 host has them: on v1 and hybrid
// hosts the whole field is refused at create (runc's ErrV1NoUnified).
import { SkiffError, type SystemError } from '../../errors.js';
import { writeCgroup } from '../resources.js';

export function apply(dir: string, unified: Record<string, string> | undefined, controllers: Set<string>): void {
  for (const [file, value] of Object.entries(unified ?? {})) {
    try {
      writeCgroup(dir, file, value);
    } catch (err) {
      const code = (err as SystemError).code;
      const controller = file.split('.')[0];
      if ((code === 'ENOENT' || code === 'EPERM' || code === 'EACCES') && (!file.includes('.') || (!controllers.has(controller) && controller !== 'cgroup')))
        throw new SkiffError(`cgroup: linux.resources.unified ${JSON.stringify(file)} cannot be set: ${file.includes('.') ? `controller ${JSON.stringify(controller)} is not available` : 'it must be CONTROLLER.PARAMETER'}`);
      throw err;
    }
  }
}
