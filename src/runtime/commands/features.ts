// skiff-runtime features: what this runtime supports, in the JSON shape of
// the runtime-spec features.md (as `runc features` prints it).
import { NAMESPACE_TYPES } from '../spec.js';
import { knownCapabilities, SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_OPERATORS } from '../security.js';
import { MOUNT_OPTION_NAMES } from '../mountOptions.js';

export function featuresCommand(): void {
  const features = {
    ociVersionMin: '1.0.0',
    ociVersionMax: '1.2.0',
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    mountOptions: MOUNT_OPTION_NAMES,
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...knownCapabilities().keys()],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true,
        actions: SECCOMP_ACTIONS,
        operators: SECCOMP_OPERATORS,
        archs: SECCOMP_ARCHES,
        knownFlags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
        supportedFlags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
    },
    annotations: { 'org.opencontainers.runtime-spec.features': 'skiff-runtime' },
  };
  process.stdout.write(JSON.stringify(features, null, 2) + '\n');
}
