// Image references, `[registry[:port]/][namespace/]name[:tag][@digest]`, with
// Docker's normalization (distribution/reference, "ParseNormalizedNamed"):
//   busybox                -> docker.io/library/busybox:latest
//   alicek106/ubuntu:14.04 -> docker.io/alicek106/ubuntu:14.04
//   localhost:5000/x       -> registry localhost:5000, repository x
// A first component with "." or ":", or equal to "localhost", is a registry.
import { SkiffError } from '../errors.js';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface Reference {
  /** Registry host[:port], e.g. docker.io, localhost:5000. */
  registry: string;
  /** Repository path inside the registry, e.g. library/busybox. */
  repository: string;
  tag?: string;
  digest?: string;
}

// The grammar of distribution/reference, piece by piece.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const SHA256 = /^sha256:[a-f0-9]{64}$/;

const invalid = (why = '') => new SkiffError(`invalid reference format${why ? ': ' + why : ''}`, 'invalid');

/** Parses and normalizes a reference the way `docker pull` reads it. */
export function parseReference(input: string): Reference {
  if (!input) throw invalid('repository name must have at least one component');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`invalid digest ${JSON.stringify(digest)}`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) throw invalid(`invalid sha256 digest ${JSON.stringify(digest)}`);
  }
  // A tag is after the last ":" that comes after the last "/" (a ":" before
  // it is a registry port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(tag.length > 128 ? 'tag is longer than 128 characters' : `invalid tag ${JSON.stringify(tag)}`);
  }
  if (!rest) throw invalid('repository name must have at least one component');
  let registry = DEFAULT_REGISTRY;
  let repository = rest;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    registry = first;
    repository = rest.slice(slash + 1);
    if (!DOMAIN_RE.test(registry)) throw invalid(`invalid registry ${JSON.stringify(registry)}`);
  }
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = 'library/' + repository;
  if (repository !== repository.toLowerCase()) throw invalid('repository name must be lowercase');
  if (!PATH.test(repository)) throw invalid();
  if (`${registry}/${repository}`.length > 255) throw invalid('repository name must not be more than 255 characters');
  return { registry, repository, tag: tag ?? (digest ? undefined : DEFAULT_TAG), digest };
}

/** docker.io/library/busybox -> busybox; other registries stay whole. */
export function familiarName(ref: Pick<Reference, 'registry' | 'repository'>): string {
  if (ref.registry !== DEFAULT_REGISTRY) return `${ref.registry}/${ref.repository}`;
  return ref.repository.startsWith('library/') ? ref.repository.slice(8) : ref.repository;
}

/** The full normalized string: docker.io/library/busybox:latest[@sha256:...]. */
export function canonicalString(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? ':' + ref.tag : ''}${ref.digest ? '@' + ref.digest : ''}`;
}

/** What `skiff images` shows: busybox:latest. */
export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag ? ':' + ref.tag : ''}${ref.digest ? '@' + ref.digest : ''}`;
}
