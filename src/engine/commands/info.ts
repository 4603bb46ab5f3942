// skiff info: the engine and host facts `docker info` shows.
import { cpus, release, totalmem, arch } from 'node:os';
import { readFileSync } from 'node:fs';
import { cgroupMode, detectHierarchies } from '../../cgroups/hierarchy.js';
import { humanSize } from '../../util/human.js';
import { containerStore, imageStore, type EngineGlobals } from '../context.js';

export function infoCommand(g: EngineGlobals, version: string): void {
  const containers = containerStore(g).all();
  const count = (s: string) => containers.filter((c) => c.State.Status === s).length;
  const mode = cgroupMode(detectHierarchies());
  const osName = (() => {
    try { return /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux'; } catch { return 'Linux'; }
  })();
  const lines = [
    'Client:', ` Version:    ${version}`, '', 'Server:',
    ` Containers: ${containers.length}`, `  Running: ${count('running')}`, `  Paused: ${count('paused')}`,
    `  Stopped: ${containers.length - count('running') - count('paused')}`,
    ` Images: ${imageStore(g).images().length}`,
    ' Storage Driver: overlay',
    ' Cgroup Driver: cgroupfs',
    ` Cgroup Version: ${mode === 'v2' ? '2' : mode === 'hybrid' ? '1 (hybrid: cgroup2 at /sys/fs/cgroup/unified)' : '1'}`,
    ' Runtimes: skiff-runtime', ' Default Runtime: skiff-runtime',
    ` Kernel Version: ${release()}`, ` Operating System: ${osName}`, ` OSType: linux`,
    ` Architecture: ${arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch()}`,
    ` CPUs: ${cpus().length}`, ` Total Memory: ${humanSize(totalmem())}`,
    ` Skiff Root Dir: ${g.root}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
