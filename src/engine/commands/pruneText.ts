// What the prune commands print and ask, in docker's words (docker/cli
// cli/command/{container,image,volume,network,system}/prune.go).
import { humanSize } from '../../util/human.js';
import type { ContainersPruneReport } from '../core/containers/prune.js';
import type { ImagesPruneReport } from '../core/images/prune.js';
import type { NetworksPruneReport } from '../core/networks/prune.js';
import type { VolumesPruneReport } from '../core/volumes/prune.js';

export const PRUNE_WARNINGS = {
  containers: 'WARNING! This will remove all stopped containers.',
  images: 'WARNING! This will remove all dangling images.',
  imagesAll: 'WARNING! This will remove all images without at least one container associated to them.',
  volumes: 'WARNING! This will remove anonymous local volumes not used by at least one container.',
  volumesAll: 'WARNING! This will remove all local volumes not used by at least one container.',
  networks: 'WARNING! This will remove all custom networks not used by at least one container.',
};

/** system prune's list of what goes, as docker builds it from its flags. */
export function systemPruneWarning(o: { all?: boolean; volumes?: boolean }): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    '  - all networks not used by at least one container',
    ...(o.volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
    o.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    o.all ? '  - all build cache' : '  - unused build cache',
    '',
  ].join('\n');
}

// Each section is followed by an empty line (docker prints it with Println).
const section = (title: string, lines: string[]) => (lines.length ? `${title}\n${lines.map((l) => l + '\n').join('')}\n` : '');

export const containersPruneText = (r: ContainersPruneReport) => section('Deleted Containers:', r.ContainersDeleted);
export const volumesPruneText = (r: VolumesPruneReport) => section('Deleted Volumes:', r.VolumesDeleted);
export const networksPruneText = (r: NetworksPruneReport) => section('Deleted Networks:', r.NetworksDeleted);
export const imagesPruneText = (r: ImagesPruneReport) =>
  section('Deleted Images:', r.ImagesDeleted.map((d) => ('Untagged' in d ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)));

export const reclaimedText = (bytes: number) => `Total reclaimed space: ${humanSize(bytes)}\n`;
