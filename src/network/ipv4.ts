// IPv4 addresses and subnets as numbers: parsing, membership, overlap, and
// the address a subnet's n-th host has. Only what IPAM needs.
import { readFileSync } from 'node:fs';
import { SkiffError } from '../errors.js';

export interface Subnet { base: number; prefix: number }

export function parseIp(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new SkiffError(`invalid IPv4 address ${JSON.stringify(text)}`, 'invalid');
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseSubnet(text: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 32) throw new SkiffError(`invalid subnet ${JSON.stringify(text)}: use a CIDR such as 172.18.0.0/16`, 'invalid');
  const prefix = Number(m[2]);
  if (prefix > 30) throw new SkiffError(`subnet ${text} is too small: it needs room for a gateway and containers (/30 at most)`);
  const ip = parseIp(m[1]);
  const { base } = subnetAround(ip, prefix);
  if (base !== ip) throw new SkiffError(`invalid subnet ${text}: host bits set (did you mean ${formatIp(base)}/${prefix}?)`, 'invalid');
  return { base, prefix };
}

/** The /prefix subnet that holds `ip`. */
export function subnetAround(ip: number, prefix: number): Subnet {
  return { base: ip - (ip % 2 ** (32 - prefix)), prefix };
}

export const formatSubnet = (s: Subnet) => `${formatIp(s.base)}/${s.prefix}`;
export const size = (s: Subnet) => 2 ** (32 - s.prefix);
export const contains = (s: Subnet, ip: number) => ip >= s.base && ip < s.base + size(s);
/** An address of `s` that a host may have: neither its network nor its broadcast address. */
export const isHostAddress = (s: Subnet, ip: number) => contains(s, ip) && ip !== s.base && ip !== s.base + size(s) - 1;
export const overlaps = (a: Subnet, b: Subnet) => a.base < b.base + size(b) && b.base < a.base + size(a);

/** The subnets the host routes already (proc(5) /proc/net/route): a new network must not overlap them. */
export function hostRoutedSubnets(): Subnet[] {
  let text: string;
  try { text = readFileSync('/proc/net/route', 'utf8'); } catch { return []; }
  return text.split('\n').slice(1).filter(Boolean).flatMap((line) => {
    const f = line.trim().split(/\s+/);
    const dest = parseInt(f[1], 16);
    const mask = parseInt(f[7], 16);
    if (!mask) return []; // the default route overlaps everything; it is not "taken"
    // Little-endian hex in this file: swap to network order.
    const swap = (n: number) => (((n & 0xff) << 24) >>> 0) + ((n >>> 8) & 0xff) * 65536 + ((n >>> 16) & 0xff) * 256 + ((n >>> 24) & 0xff);
    const m = swap(mask);
    let prefix = 0;
    while (prefix < 32 && m >= 2 ** 32 - 2 ** (31 - prefix)) prefix++;
    return [{ base: swap(dest), prefix }];
  });
}
