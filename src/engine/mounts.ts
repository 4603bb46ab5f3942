// A container's mounts from -v, --mount, --tmpfs and --volumes-from
// (docker run(1), "Volumes"), as the API request carries them (Binds,
// Volumes, Mounts, Tmpfs, VolumesFrom): checked at create, resolved into
// the Mounts list that `inspect` shows and that the OCI spec mounts. Named
// and anonymous volumes are created here, at create time, as Docker does.
import { chmodSync, chownSync, copyFileSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SkiffError } from '../errors.js';
import type { Mount as OciMount } from '../runtime/spec.js';
import type { MountRequest as ApiMount } from './api-types.js';
import { validVolumeName, type VolumeStore } from './volumes.js';

/** One entry of `inspect`'s Mounts (Docker's types.MountPoint). */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: 'local';
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** skiff: tmpfs options; "nocopy" for a volume. */
  Options?: string[];
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
// Docker's default tmpfs options (--tmpfs with none given).
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev'];

/** The destination: absolute, no "..", not "/". */
function checkDestination(dest: string, spec: string): string {
  if (!dest.startsWith('/')) throw new SkiffError(`invalid mount config for ${JSON.stringify(spec)}: the destination ${JSON.stringify(dest)} must be an absolute path`, 'invalid');
  if (dest.split('/').includes('..')) throw new SkiffError(`invalid mount config for ${JSON.stringify(spec)}: the destination ${JSON.stringify(dest)} must not contain ".."`, 'invalid');
  const clean = posix.normalize(dest).replace(/\/+$/, '');
  if (!clean) throw new SkiffError(`invalid mount config for ${JSON.stringify(spec)}: the destination cannot be "/"`, 'invalid');
  return clean;
}

/** -v modes: ro|rw, z|Z (SELinux labels: accepted, nothing to do here), propagation, nocopy. */
function parseMode(mode: string, spec: string): { rw: boolean; propagation: string; nocopy: boolean; mode: string } {
  let rw = true;
  let propagation = '';
  let nocopy = false;
  for (const m of mode ? mode.split(',') : []) {
    if (m === 'ro' || m === 'rw') rw = m === 'rw';
    else if (m === 'z' || m === 'Z') { /* SELinux relabel: no SELinux here */ }
    else if (PROPAGATIONS.includes(m)) propagation = m;
    else if (m === 'nocopy') nocopy = true;
    else throw new SkiffError(`invalid mode: ${m} (in ${JSON.stringify(spec)}; use ro, rw, z, Z, nocopy or a propagation)`, 'invalid');
  }
  return { rw, propagation, nocopy, mode };
}

/** A new container's mounts, as the API's create request carries them. */
export interface MountRequest {
  /** HostConfig.Binds: "src:dst[:mode]" (docker run -v with a source). */
  binds: string[];
  /** Config.Volumes: container paths for anonymous volumes (docker run -v /path). */
  anonymous: string[];
  /** HostConfig.Mounts (docker run --mount). */
  mounts: ApiMount[];
  /** HostConfig.Tmpfs: path -> options (docker run --tmpfs). */
  tmpfs: Record<string, string>;
  /** HostConfig.VolumesFrom: "container[:ro|rw]". */
  volumesFrom: string[];
  /** The image's VOLUME paths (Config.Volumes); each unmounted one gets an anonymous volume. */
  imageVolumes?: string[];
}

export interface MountContext {
  volumes: VolumeStore;
  /** Mounts of another container, for --volumes-from. */
  mountsOf: (container: string) => MountPoint[];
}

/** -v SRC:DST[:MODE] | -v DST. */
async function parseVolumeFlag(spec: string, ctx: MountContext): Promise<MountPoint> {
  const parts = spec.split(':');
  if (parts.length > 3 || !spec) throw new SkiffError(`invalid volume specification: ${JSON.stringify(spec)}`, 'invalid');
  if (parts.length === 1) {
    const dest = checkDestination(parts[0], spec);
    const v = await ctx.volumes.create(undefined, { anonymous: true });
    return { Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dest, Driver: 'local', Mode: '', RW: true, Propagation: '' };
  }
  const [source, target, mode = ''] = parts;
  const dest = checkDestination(target, spec);
  const m = parseMode(mode, spec);
  if (source.startsWith('/')) {
    // A missing host directory is created (docker -v does; --mount refuses).
    if (!existsSync(source)) mkdirSync(source, { recursive: true, mode: 0o755 });
    return { Type: 'bind', Source: posix.normalize(source), Destination: dest, Mode: m.mode, RW: m.rw, Propagation: m.propagation || 'rprivate' };
  }
  if (!validVolumeName(source))
    throw new SkiffError(`create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  const v = await ctx.volumes.create(source);
  return {
    Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dest, Driver: 'local', Mode: m.mode || 'z', RW: m.rw, Propagation: '',
    ...(m.nocopy ? { Options: ['nocopy'] } : {}),
  };
}

/**
 * --mount type=bind|volume|tmpfs,source=..,target=..,readonly,... (docker's
 * CSV form) -> the API's HostConfig.Mounts entry, as the docker CLI builds
 * it (cli/opts/mount.go): the CLI's half; the engine checks the rest.
 */
export function parseMountSpec(spec: string): ApiMount {
  const kv: Record<string, string> = {};
  for (const field of spec.split(',')) {
    const i = field.indexOf('=');
    const key = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    kv[key] = i < 0 ? 'true' : field.slice(i + 1);
  }
  const known = ['type', 'source', 'src', 'target', 'destination', 'dst', 'readonly', 'ro', 'volume-nocopy', 'bind-propagation', 'tmpfs-size', 'tmpfs-mode', 'volume-label', 'consistency'];
  for (const k of Object.keys(kv)) if (!known.includes(k)) throw new SkiffError(`invalid field '${k}' must be a key=value pair (in --mount ${spec})`, 'invalid');
  const type = kv.type ?? 'volume';
  const source = kv.source ?? kv.src;
  const target = kv.target ?? kv.destination ?? kv.dst;
  if (!target) throw new SkiffError(`invalid argument "${spec}" for "--mount" flag: target is required`, 'invalid');
  const bool = (v: string | undefined) => v !== undefined && ['true', '1', ''].includes(v);
  const m: ApiMount = { Type: type, Target: target };
  if (source) m.Source = source;
  if (bool(kv.readonly ?? kv.ro)) m.ReadOnly = true;
  if (kv['bind-propagation']) m.BindOptions = { Propagation: kv['bind-propagation'] };
  if (kv['volume-nocopy'] !== undefined || kv['volume-label']) {
    m.VolumeOptions = {};
    if (kv['volume-nocopy'] !== undefined) m.VolumeOptions.NoCopy = bool(kv['volume-nocopy']);
    if (kv['volume-label']) m.VolumeOptions.Labels = Object.fromEntries([kv['volume-label'].split('=')]);
  }
  if (kv['tmpfs-size'] || kv['tmpfs-mode']) {
    m.TmpfsOptions = {};
    if (kv['tmpfs-size']) m.TmpfsOptions.SizeBytes = ramInBytes(kv['tmpfs-size'], 'tmpfs-size');
    if (kv['tmpfs-mode']) m.TmpfsOptions.Mode = parseInt(kv['tmpfs-mode'], 8);
  }
  return m;
}

/** docker's RAMInBytes: "512m", "1g", "100k", "1048576" -> bytes (binary units). */
export function ramInBytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(v.trim());
  if (!m) throw new SkiffError(`invalid ${flag} ${JSON.stringify(v)}: use a size such as 512m or 1g`, 'invalid');
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()]!;
  return Math.round(Number(m[1]) * unit);
}

/** A HostConfig.Mounts entry -> the container's mount (a named or anonymous volume is made here). */
async function mountFromRequest(m: ApiMount, ctx: MountContext): Promise<MountPoint> {
  const spec = `type=${m.Type},target=${m.Target}`;
  const dest = checkDestination(m.Target, spec);
  const rw = !m.ReadOnly;
  const source = m.Source;
  switch (m.Type) {
    case 'bind': {
      if (!source) throw new SkiffError(`invalid mount config for type "bind": field Source must not be empty`, 'invalid');
      if (!source.startsWith('/')) throw new SkiffError(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`, 'invalid');
      if (!existsSync(source)) throw new SkiffError(`invalid mount config for type "bind": bind source path does not exist: ${source}`, 'invalid');
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATIONS.includes(propagation)) throw new SkiffError(`invalid bind-propagation ${JSON.stringify(propagation)}`, 'invalid');
      return { Type: 'bind', Source: posix.normalize(source), Destination: dest, Mode: '', RW: rw, Propagation: propagation };
    }
    case 'volume': {
      const labels = m.VolumeOptions?.Labels;
      const v = await (source ? ctx.volumes.create(source, { labels }) : ctx.volumes.create(undefined, { anonymous: true }));
      return {
        Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dest, Driver: 'local', Mode: 'z', RW: rw, Propagation: '',
        ...(m.VolumeOptions?.NoCopy ? { Options: ['nocopy'] } : {}),
      };
    }
    case 'tmpfs': {
      if (source) throw new SkiffError(`invalid mount config for type "tmpfs": field Source must be empty`, 'invalid');
      const options = [...TMPFS_DEFAULTS];
      if (m.TmpfsOptions?.SizeBytes) options.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) options.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      return { Type: 'tmpfs', Source: '', Destination: dest, Mode: '', RW: rw, Propagation: '', Options: options };
    }
    default:
      throw new SkiffError(`invalid mount type ${JSON.stringify(m.Type)}: use bind, volume or tmpfs`, 'invalid');
  }
}

/** --tmpfs /path[:opts]. */
function parseTmpfsFlag(spec: string): MountPoint {
  const i = spec.indexOf(':');
  const dest = checkDestination(i < 0 ? spec : spec.slice(0, i), spec);
  const options = i < 0 ? [...TMPFS_DEFAULTS] : spec.slice(i + 1).split(',').filter(Boolean);
  const rw = !options.includes('ro');
  return { Type: 'tmpfs', Source: '', Destination: dest, Mode: '', RW: rw, Propagation: '', Options: options.filter((o) => o !== 'ro' && o !== 'rw') };
}

/** --volumes-from NAME[:ro|rw]: the binds and volumes of another container. */
function parseVolumesFrom(spec: string, ctx: MountContext): MountPoint[] {
  const [name, mode] = spec.split(':');
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new SkiffError(`invalid mode for --volumes-from ${spec}: use ro or rw`, 'invalid');
  return ctx.mountsOf(name)
    .filter((m) => m.Type !== 'tmpfs')
    .map((m) => ({ ...m, RW: mode === undefined ? m.RW : mode === 'rw' }));
}

/** Every mount of a new container; a later one for the same destination wins, two explicit ones conflict. */
export async function resolveMounts(r: MountRequest, ctx: MountContext): Promise<MountPoint[]> {
  // One at a time, in flag order: a failure leaves no volume made by a later flag.
  const explicit: MountPoint[] = [];
  for (const v of r.binds) explicit.push(await parseVolumeFlag(v, ctx));
  // moby (daemon/create_unix.go): a Config.Volumes path that a bind, mount
  // or tmpfs already covers gets no anonymous volume (docker-compose lists
  // every volume's path there, named ones too).
  const normal = (d: string) => posix.normalize(d).replace(/\/+$/, '');
  const covered = new Set([
    ...r.binds.map((b) => { const parts = b.split(':'); return parts.length >= 2 ? parts[1] : parts[0]; }),
    ...r.mounts.map((m) => m.Target), ...Object.keys(r.tmpfs),
  ].map(normal));
  for (const path of r.anonymous) if (!covered.has(normal(path))) explicit.push(await parseVolumeFlag(path, ctx));
  for (const m of r.mounts) explicit.push(await mountFromRequest(m, ctx));
  explicit.push(...Object.entries(r.tmpfs).map(([path, options]) => parseTmpfsFlag(options ? `${path}:${options}` : path)));
  const seen = new Set<string>();
  for (const m of explicit) {
    if (seen.has(m.Destination)) throw new SkiffError(`Duplicate mount point: ${m.Destination}`, 'invalid');
    seen.add(m.Destination);
  }
  // docker: an explicit mount wins over one inherited with --volumes-from.
  const inherited = r.volumesFrom.flatMap((s) => parseVolumesFrom(s, ctx)).filter((m) => !seen.has(m.Destination));
  for (const m of inherited) seen.add(m.Destination);
  // docker (daemon/create_unix.go): an image VOLUME that no flag mounts gets
  // an anonymous volume, filled from the image at start (copy-up, below).
  const fromImage: MountPoint[] = [];
  for (const dest of (r.imageVolumes ?? []).map((p) => checkDestination(p, `VOLUME ${p}`)).filter((d, i, all) => !seen.has(d) && all.indexOf(d) === i)) {
    const v = await ctx.volumes.create(undefined, { anonymous: true });
    fromImage.push({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dest, Driver: 'local', Mode: '', RW: true, Propagation: '' });
  }
  return [...inherited, ...explicit, ...fromImage];
}

/**
 * docker CLI 23+ (cli/command/container/opts.go): a -v source starting with
 * "." is a host path relative to the working directory, made absolute.
 */
export function absoluteBindSources(specs: string[], cwd: string): string[] {
  return specs.map((spec) => {
    const i = spec.indexOf(':');
    if (i <= 0 || !spec.startsWith('.')) return spec;
    return posix.resolve(cwd, spec.slice(0, i)) + spec.slice(i);
  });
}

/** The OCI mounts, parents before children (so /a is mounted before /a/b). */
export function ociMounts(mounts: MountPoint[]): OciMount[] {
  return [...mounts]
    .sort((a, b) => a.Destination.split('/').length - b.Destination.split('/').length)
    .map((m) => {
      if (m.Type === 'tmpfs') return { destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: [...(m.Options ?? []), m.RW ? 'rw' : 'ro'] };
      return { destination: m.Destination, type: 'bind', source: m.Source, options: ['rbind', m.RW ? 'rw' : 'ro', m.Propagation || 'rprivate'] };
    });
}

/**
 * Docker's copy-up: a new, empty volume mounted over a directory that has
 * content in the image gets that content first (owners, modes and times
 * kept). A volume with anything in it is never touched. `imagePath` is the
 * destination resolved inside the container's root.
 */
export function copyUpIntoVolume(imagePath: string, data: string): boolean {
  let st;
  try { st = lstatSync(imagePath); } catch { return false; }
  if (!st.isDirectory() || readdirSync(data).length > 0) return false;
  copyTree(imagePath, data);
  chownSync(data, st.uid, st.gid);
  chmodSync(data, st.mode & 0o7777);
  return true;
}

function copyTree(src: string, dst: string): void {
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    const st = lstatSync(from);
    if (st.isDirectory()) {
      mkdirSync(to, { mode: st.mode & 0o7777 });
      copyTree(from, to);
    } else if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
    } else if (st.isFile()) {
      copyFileSync(from, to);
    } else {
      continue; // devices, fifos and sockets are not data
    }
    lchownSync(to, st.uid, st.gid);
    if (!st.isSymbolicLink()) {
      chmodSync(to, st.mode & 0o7777); // after chown, which clears set-id bits
      utimesSync(to, st.atime, st.mtime);
    }
  }
}
