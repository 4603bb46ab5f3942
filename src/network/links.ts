// Bridges and veth pairs, as rtnetlink steps for the addon (native/addon/netlink.cc).
import { existsSync, writeFileSync } from 'node:fs';
import { native } from '../native.js';
import { traceStep } from '../util/trace.js';
import type { Endpoint, Network } from './store.js';

// Every rtnetlink step goes through here, so `skiff run --trace` shows each one.
function netlink(netns: string | null, steps: string[][]): void {
  for (const step of steps) traceStep(`netlink_${step[0]}`, ...step.slice(1), ...(netns ? [`(in ${netns})`] : []));
  native().netlink(netns, steps);
}

export const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);

/** The network's bridge with its gateway address, up; idempotent. */
export function ensureBridge(n: Network): void {
  const prefix = n.Subnet.split('/')[1];
  netlink(null, [['bridge_add', n.Bridge], ['addr_add', n.Bridge, `${n.Gateway}/${prefix}`], ['link_up', n.Bridge]]);
  // Packets the host sends from 127.0.0.1 to a published port are DNATed to
  // this bridge: without route_localnet they would be dropped as martians.
  writeFileSync(`/proc/sys/net/ipv4/conf/${n.Bridge}/route_localnet`, '1');
}

export function removeLink(name: string): void {
  netlink(null, [['link_delete', name]]);
}

/**
 * A veth pair: the host end on the bridge, the other made inside the
 * container's network namespace as `ifname`, with the endpoint's MAC and
 * address (and the default route, for the first network).
 */
export function plugEndpoint(n: Network, e: Endpoint, netnsPath: string, ifname: string, defaultRoute: boolean): void {
  const prefix = n.Subnet.split('/')[1];
  netlink(null, [
    ['link_delete', e.HostInterface],
    ['veth_add_into', e.HostInterface, ifname, netnsPath, e.MacAddress],
    ['link_set_master', e.HostInterface, n.Bridge],
    ['link_up', e.HostInterface],
  ]);
  netlink(netnsPath, [
    ['addr_add', ifname, `${e.IPAddress}/${prefix}`],
    ['link_up', ifname],
    ['link_up', 'lo'],
    ...(defaultRoute ? [['route_add_default', n.Gateway]] : []),
  ]);
}

/** Only lo, up (--network none, and a container's own namespace before its networks). */
export function loopbackUp(netnsPath: string): void {
  netlink(netnsPath, [['link_up', 'lo']]);
}
