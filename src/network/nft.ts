// skiff's firewall rules: one nftables table of its own, `ip skiff`, that is
// rendered whole from the network store and replaced in one transaction
// (`nft -f`, nft(8)). Other tables (Docker's, Podman's, the admin's) are
// never read or touched. With no container on any network the table is
// deleted: nothing of skiff's is left in the ruleset.
//   prerouting/output  DNAT of published ports, for packets to any local
//                      address (fib daddr type local), from outside and from
//                      the host itself (127.0.0.1 included)
//   postrouting        masquerade: containers going out; hairpin (a container
//                      reaching a published port); the host's own 127.0.0.1
//   forward            accepts the bridges' traffic, whatever the host's policy
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { SkiffError } from '../errors.js';
import { rootTag, type Network } from './store.js';
import { traceStep } from '../util/trace.js';

/** skiff's table for this root: "skiff" for the default root, "skiff-<tag>" for another (store.ts rootTag). */
export const tableFor = (root: string) => (rootTag(root) ? `skiff-${rootTag(root)}` : 'skiff');

const quote = (s: string) => JSON.stringify(s);

export function renderRuleset(table: string, networks: Network[]): string {
  const active = networks.filter((n) => Object.keys(n.Endpoints).length > 0);
  const lines = [`table ip ${table}`, `delete table ip ${table}`];
  if (!active.length) return lines.join('\n') + '\n';
  const publish: string[] = [];
  const post: string[] = [];
  const forward: string[] = [];
  for (const n of active) {
    const br = quote(n.Bridge);
    post.push(`ip saddr ${n.Subnet} oifname != ${br} masquerade`);
    post.push(`oifname ${br} ct status dnat ip saddr ${n.Subnet} masquerade`);
    post.push(`oifname ${br} ip saddr 127.0.0.0/8 masquerade`);
    forward.push(`iifname ${br} accept`, `oifname ${br} accept`);
    for (const e of Object.values(n.Endpoints)) {
      for (const [port, bindings] of Object.entries(e.Ports)) {
        const [ctrPort, proto] = port.split('/');
        for (const b of bindings) {
          const dst = b.HostIp && b.HostIp !== '0.0.0.0' ? `ip daddr ${b.HostIp} ` : '';
          publish.push(`${dst}${proto} dport ${b.HostPort} dnat to ${e.IPAddress}:${ctrPort}`);
        }
      }
    }
  }
  lines.push(`table ip ${table} {`,
    '  chain publish {', ...publish.map((r) => `    ${r}`), '  }',
    '  chain prerouting {', '    type nat hook prerouting priority dstnat; policy accept;', '    fib daddr type local jump publish', '  }',
    '  chain output {', '    type nat hook output priority -100; policy accept;', '    fib daddr type local jump publish', '  }',
    '  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;', ...post.map((r) => `    ${r}`), '  }',
    '  chain forward {', '    type filter hook forward priority filter; policy accept;', ...forward.map((r) => `    ${r}`), '  }',
    '}');
  return lines.join('\n') + '\n';
}

/**
 * Replaces skiff's table with what the store says (the caller holds the
 * networks lock). `nft` runs as a child process while the caller goes on:
 * its kernel commit and the rtnetlink work on links take different locks,
 * so callers start it, plug or remove links, then await it.
 */
export function applyRuleset(root: string, networks: Network[]): Promise<void> {
  const table = tableFor(root);
  const script = renderRuleset(table, networks);
  const forwarding = networks.some((n) => Object.keys(n.Endpoints).length);
  traceStep('nft_apply', `table ip ${table}`, script);
  return new Promise((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT'
        ? new SkiffError('nft (nftables) is not installed: skiff needs it for NAT and published ports (apt-get install nftables)')
        : new SkiffError(`spawn nft: ${err.code ?? err.message}`));
    });
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new SkiffError(`nft -f (replace table ip ${table}): ${stderr.trim().split('\n')[0] || `exit ${code ?? signal}`}`));
      // Containers reach beyond their bridge only with forwarding on (ip-sysctl.txt).
      if (forwarding) writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
      resolve();
    });
    child.stdin.on('error', () => { /* a failing nft closes its stdin: 'close' reports it */ });
    child.stdin.end(script);
  });
}
