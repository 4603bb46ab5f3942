// Networking as the seed notes use it (2.4 publishing, 2.5 --link, 2.7
// networks), for real: containers in their own network namespaces on this
// machine's bridges, busybox httpd published with -p and fetched from the
// host and from another container, ping by address, by --link alias and by
// name on a user network. Traffic goes only to these containers, their
// gateways and loopback. Every test ends with nothing of its root left:
// no endpoint, veth, bridge or nftables table.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Sandbox, type EngineCli } from '../helpers.js';
import { tableFor } from '../../src/network/nft.js';
import { formatIp, hostRoutedSubnets, overlaps, parseSubnet } from '../../src/network/ipv4.js';

const sb = new Sandbox('net');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const engine = () => sb.engine();

function fetch(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 5000 }, (r) => { let d = ''; r.on('data', (c) => (d += c)); r.on('end', () => resolve(d)); }).on('error', reject).on('timeout', function (this: { destroy(): void }) { this.destroy(); });
  });
}

/** A port nobody listens on right now (the kernel's choice). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function tables(): string[] {
  return execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[2]).filter(Boolean);
}

async function nothingLeft(t: import('ava').ExecutionContext, skiff: EngineCli): Promise<void> {
  t.is((await skiff(['ps', '-q'])).stdout, '', 'the test stopped its containers');
  t.false(tables().includes(tableFor(skiff.root)), 'no nftables table once no container is on a network');
  const nets = join(skiff.root, 'networks');
  for (const f of existsSync(nets) ? readdirSync(nets).filter((x) => x.endsWith('.json')) : []) {
    const n = JSON.parse(readFileSync(join(nets, f), 'utf8')) as { Name: string; Bridge: string; Endpoints: object };
    t.deepEqual(Object.keys(n.Endpoints), [], `no endpoint left on ${n.Name}`);
    t.false(existsSync(`/sys/class/net/${n.Bridge}`), `no bridge ${n.Bridge} left`);
  }
}

test('default bridge: sequential addresses, /etc/hosts, ping by address; none has only lo; container:<x> shares x\'s', async (t) => {
  const skiff = await engine();
  t.teardown(async () => { await skiff(['rm', '-f', 'a', 'b']); });
  const a = await skiff(['run', '-d', '--name', 'a', 'busybox', 'sleep', '100']);
  t.is(a.exitCode, 0, a.stderr);
  await skiff(['run', '-d', '--name', 'b', 'busybox', 'sleep', '100']);
  const ipA = (await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'a'])).stdout;
  const ipB = (await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'b'])).stdout;
  const gateway = (await skiff(['inspect', '-f', '{{.NetworkSettings.Gateway}}', 'a'])).stdout;
  t.regex(ipA, /^\d+\.\d+\.0\.2$/, 'the first container gets .2');
  t.is(ipB, ipA.replace(/\.2$/, '.3'), 'the next .3');
  t.is(gateway, ipA.replace(/\.2$/, '.1'));
  const inside = await skiff(['exec', 'a', 'sh', '-c', 'ip addr show eth0; ip route; cat /etc/hosts']);
  t.regex(inside.stdout, new RegExp(`inet ${ipA.replace(/\./g, '\\.')}/\\d+`));
  t.regex(inside.stdout, new RegExp(`default via ${gateway.replace(/\./g, '\\.')} dev eth0`));
  t.regex(inside.stdout, new RegExp(`${ipA.replace(/\./g, '\\.')}\\s+${a.stdout.slice(0, 12)}`));
  t.regex((await skiff(['exec', 'a', 'ping', '-c', '2', '-W', '2', ipB])).stdout, /2 packets transmitted, 2 packets received/);
  const none = await skiff(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']);
  t.deepEqual(none.stdout.split('\n').map((l) => l.split(':')[1].trim()), ['lo']);
  const shared = await skiff(['run', '--rm', '--network', 'container:a', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  t.regex(shared.stdout, new RegExp(`inet ${ipA.replace(/\./g, '\\.')}/`), 'the same eth0 as a');
  // --network host: the host's own network namespace, not one of its own.
  // (Compared by namespace, not by listing interfaces: other tests running
  // at the same time add and remove veths between two listings.)
  const host = await skiff(['run', '--rm', '--network', 'host', 'busybox', 'readlink', '/proc/self/ns/net']);
  t.is(host.stdout, readlinkSync('/proc/self/ns/net'), "the host's own network namespace");
  t.not((await skiff(['exec', 'a', 'readlink', '/proc/self/ns/net'])).stdout, host.stdout, 'a bridge container has its own');
  await skiff(['rm', '-f', 'a', 'b']);
  await nothingLeft(t, skiff);
});

test('-p publishes: from the host on 127.0.0.1 and the bridge address, from another container; port; ps PORTS; random ports; taken ports refused', async (t) => {
  const skiff = await engine();
  const port = await freePort();
  const web = await skiff(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-p', '80', 'busybox', 'sh', '-c', 'mkdir /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www']);
  t.is(web.exitCode, 0, web.stderr);
  const ports = (await skiff(['port', 'web'])).stdout.split('\n').sort();
  t.is(ports.length, 2);
  t.true(ports.includes(`80/tcp -> 0.0.0.0:${port}`), ports.join('\n'));
  const random = Number(ports.find((p) => !p.endsWith(`:${port}`))!.split(':')[1]);
  t.true(random > 1024);
  t.regex((await skiff(['ps'])).stdout, new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp`));
  const gateway = (await skiff(['inspect', '-f', '{{.NetworkSettings.Gateway}}', 'web'])).stdout;
  // Wait for httpd, then fetch through each path.
  for (let i = 0; i < 50 && !(await fetch(`http://127.0.0.1:${port}/`).catch(() => '')); i++) await new Promise((r) => setTimeout(r, 100));
  t.is(await fetch(`http://127.0.0.1:${port}/`), 'hello-from-web\n');
  t.is(await fetch(`http://${gateway}:${port}/`), 'hello-from-web\n', "the host's bridge-facing address");
  t.is(await fetch(`http://127.0.0.1:${random}/`), 'hello-from-web\n', 'the random port read back from `skiff port`');
  const hairpin = await skiff(['run', '--rm', 'busybox', 'wget', '-q', '-O', '-', `http://${gateway}:${port}/`]);
  t.is(hairpin.stdout, 'hello-from-web', `another container through the published port: ${hairpin.stderr}`);
  const again = await skiff(['run', '-d', '-p', `${port}:80`, 'busybox', 'true']);
  t.is(again.exitCode, 125);
  t.regex(again.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
  // A port some other program of the host holds.
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen(0, '0.0.0.0', r));
  const held = (holder.address() as AddressInfo).port;
  const busy = await skiff(['run', '-d', '-p', `${held}:80`, 'busybox', 'true']);
  await new Promise((r) => holder.close(r));
  t.is(busy.exitCode, 125);
  t.regex(busy.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${held} failed: address already in use`));
  // -P: EXPOSEd ports get random host ports.
  const exposed = await skiff(['run', '-d', '--name', 'pub', '-P', '--expose', '8000', '--expose', '9000/udp', 'busybox', 'sleep', '100']);
  t.is(exposed.exitCode, 0, exposed.stderr);
  const pubPorts = (await skiff(['port', 'pub'])).stdout.split('\n').sort();
  t.is(pubPorts.length, 2);
  t.regex(pubPorts[0], /^8000\/tcp -> 0\.0\.0\.0:\d+$/);
  t.regex(pubPorts[1], /^9000\/udp -> 0\.0\.0\.0:\d+$/);
  t.regex((await skiff(['port', 'pub', '1234'])).stderr, /No public port '1234\/tcp' published for pub/);
  t.regex((await skiff(['run', '-p', '1-2:3', 'busybox', 'true'])).stderr, /port ranges are not supported/);
  t.regex((await skiff(['run', '-p', '99999:80', 'busybox', 'true'])).stderr, /invalid port 99999/);
  await skiff(['rm', '-f', 'web', 'pub']);
  await skiff(['container', 'prune', '-f']);
  await nothingLeft(t, skiff);
});

test('--link: the alias resolves to the linked container; linking to a stopped one fails as docker does', async (t) => {
  const skiff = await engine();
  await skiff(['run', '-d', '--name', 'mysql', 'busybox', 'sleep', '100']);
  const ip = (await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'mysql'])).stdout;
  const ping = await skiff(['run', '--rm', '--link', 'mysql:db', 'busybox', 'sh', '-c', 'ping -c 2 -W 2 db && ping -c 1 -W 2 mysql']);
  t.is(ping.exitCode, 0, ping.stderr);
  t.regex(ping.stdout, new RegExp(`PING db \\(${ip.replace(/\./g, '\\.')}\\)`));
  await skiff(['stop', '-t', '0', 'mysql']);
  const stopped = await skiff(['run', '--rm', '--link', 'mysql:db', 'busybox', 'true']);
  t.is(stopped.exitCode, 125);
  t.regex(stopped.stderr, /Cannot link to a non running container: \/mysql AS \/[a-z_0-9]+\/db/);
  t.regex((await skiff(['run', '--link', 'ghost', 'busybox', 'true'])).stderr, /No such container: ghost/);
  await skiff(['rm', 'mysql']);
  await skiff(['container', 'prune', '-f']);
  await nothingLeft(t, skiff);
});

test('user networks: names and aliases resolve through the network\'s DNS server; create/ls/inspect/connect/disconnect/rm/prune', async (t) => {
  const skiff = await engine();
  const id = await skiff(['network', 'create', 'mynet']);
  t.regex(id.stdout, /^[a-f0-9]{64}$/);
  t.regex((await skiff(['network', 'create', 'mynet'])).stderr, /network with name mynet already exists/);
  const subnet = JSON.parse((await skiff(['network', 'inspect', 'mynet'])).stdout)[0].IPAM.Config[0].Subnet as string;
  t.regex((await skiff(['network', 'create', '--subnet', subnet, 'clash'])).stderr, /Pool overlaps/);
  t.regex((await skiff(['network', 'create', '--subnet', '10.1.2.3/24', 'bad'])).stderr, /host bits set/);
  t.regex((await skiff(['network', 'ls'])).stdout, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n/);
  t.regex((await skiff(['network', 'ls'])).stdout, /\s+mynet\s+bridge\s+local/);

  const gatewayOfMynet = JSON.parse((await skiff(['network', 'inspect', 'mynet'])).stdout)[0].IPAM.Config[0].Gateway as string;
  await skiff(['run', '-d', '--name', 'db', '--network', 'mynet', '--network-alias', 'database', 'busybox', 'sleep', '100']);
  t.true(udpBound(gatewayOfMynet, 53), 'the DNS server listens as soon as run -d returns');
  const dbIp = JSON.parse((await skiff(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'db'])).stdout).mynet.IPAddress as string;
  t.regex(dbIp, /^\d+\.\d+\.\d+\.2$/);
  const lookup = await skiff(['run', '--rm', '--network', 'mynet', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf; ping -c 1 -W 2 db; ping -c 1 -W 2 database']);
  t.is(lookup.exitCode, 0, lookup.stderr + lookup.stdout);
  t.regex(lookup.stdout, /^nameserver \d+\.\d+\.\d+\.1$/m, 'the network\'s gateway answers DNS');
  t.regex(lookup.stdout, new RegExp(`PING db \\(${dbIp.replace(/\./g, '\\.')}\\)`));
  t.regex(lookup.stdout, new RegExp(`PING database \\(${dbIp.replace(/\./g, '\\.')}\\)`));
  t.regex(JSON.stringify(JSON.parse((await skiff(['network', 'inspect', 'mynet'])).stdout)[0].Containers), /"Name":"db"/);

  // connect a running container to a second network: a new interface, and its alias there.
  await skiff(['network', 'create', 'other']);
  t.is((await skiff(['network', 'connect', '--alias', 'store', 'other', 'db'])).exitCode, 0);
  t.regex((await skiff(['exec', 'db', 'ip', '-o', 'link'])).stdout, /eth1/);
  t.regex((await skiff(['run', '--rm', '--network', 'other', 'busybox', 'ping', '-c', '1', '-W', '2', 'store'])).stdout, /1 packets received/);
  t.regex((await skiff(['network', 'rm', 'other'])).stderr, /has active endpoints/);
  t.is((await skiff(['network', 'disconnect', 'other', 'db'])).exitCode, 0);
  t.notRegex((await skiff(['exec', 'db', 'ip', '-o', 'link'])).stdout, /eth1/);
  t.is((await skiff(['network', 'rm', 'other'])).stdout, 'other');
  // On the default network names do not resolve (docker's rule): --link is the way there.
  t.regex((await skiff(['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '1', 'db'])).stderr, /bad address 'db'/);
  await skiff(['rm', '-f', 'db']);
  await skiff(['network', 'create', 'unused']);
  t.regex((await skiff(['network', 'prune', '-f'])).stdout, /Deleted Networks:\n(mynet\nunused|unused\nmynet)/);
  t.regex((await skiff(['network', 'rm', 'bridge'])).stderr, /pre-defined network and cannot be removed/);
  await nothingLeft(t, skiff);
});

test('concurrent runs never get the same address; stopped containers free theirs', async (t) => {
  const skiff = await engine();
  const runs = await Promise.all([1, 2, 3, 4].map((i) => skiff(['run', '-d', '--name', `c${i}`, 'busybox', 'sleep', '100'])));
  for (const r of runs) t.is(r.exitCode, 0, r.stderr);
  const ips = await Promise.all([1, 2, 3, 4].map(async (i) => (await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', `c${i}`])).stdout));
  t.is(new Set(ips).size, 4, ips.join(' '));
  await skiff(['stop', '-t', '0', 'c1', 'c2', 'c3', 'c4']);
  t.regex((await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'c1'])).stdout, /^(|<no value>)$/, 'a stopped container has no address');
  await skiff(['start', 'c4']);
  t.regex((await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'c4'])).stdout, /\.2$/, 'the freed .2 is handed out again');
  await skiff(['rm', '-f', 'c1', 'c2', 'c3', 'c4']);
  await nothingLeft(t, skiff);
});

/** The first of these subnets that no host route overlaps (the test's own addresses must not shadow the host's). */
function unroutedSubnet(candidates: string[]): string {
  const routed = hostRoutedSubnets();
  const free = candidates.find((c) => !routed.some((r) => overlaps(r, parseSubnet(c))));
  if (!free) throw new Error(`every candidate subnet is routed on this host: ${candidates.join(', ')}`);
  return free;
}

test('daemon.json "bip" sets the default network\'s subnet; bad settings are refused; a change waits for the network to empty', async (t) => {
  const skiff = await engine();
  const config = join(skiff.root, 'daemon.json');
  const [first, second] = ['10.213.71.0/24', '10.213.72.0/24', '10.213.73.0/24', '10.213.74.0/24']
    .filter((c) => !hostRoutedSubnets().some((r) => overlaps(r, parseSubnet(c))));
  const gatewayOf = (subnet: string, host: number) => formatIp(parseSubnet(subnet).base + host);
  for (const [json, error] of [
    ['{"bip": "10.213.71.0/24"}', /"bip" 10\.213\.71\.0\/24: 10\.213\.71\.0 is the subnet's network or broadcast address/],
    ['{"bip": "10.213.71.1"}', /"bip" must be an address with a prefix length/],
    ['{"bridge-ip": "10.213.71.1/24"}', /don't match any configuration option: bridge-ip/],
    ['{"bip": ', /daemon\.json: invalid JSON/],
  ] as const) {
    writeFileSync(config, json);
    const r = await skiff(['run', '--rm', 'busybox', 'true']);
    t.is(r.exitCode, 125, json);
    t.regex(r.stderr, error, json);
  }
  // The bridge's own address need not be .1: dockerd --bip takes any host address.
  writeFileSync(config, JSON.stringify({ bip: `${gatewayOf(first, 254)}/24` }));
  const a = await skiff(['run', '-d', '--name', 'a', 'busybox', 'sleep', '100']);
  t.is(a.exitCode, 0, a.stderr);
  t.is((await skiff(['inspect', '-f', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}', 'a'])).stdout, `${gatewayOf(first, 2)} ${gatewayOf(first, 254)}`);
  t.regex((await skiff(['exec', 'a', 'ip', 'route'])).stdout, new RegExp(`default via ${gatewayOf(first, 254).replace(/\./g, '\\.')} dev eth0`));
  // A new "bip" while a container is on the network: the network keeps its subnet, and says so.
  writeFileSync(config, JSON.stringify({ bip: `${gatewayOf(second, 1)}/24` }));
  const b = await skiff(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  t.is(b.exitCode, 0, b.stderr);
  t.regex(b.stderr, new RegExp(`keeps ${first.replace(/\./g, '\\.').replace('/', '\\/')} until its containers stop`));
  t.regex(b.stdout, new RegExp(`inet ${gatewayOf(first, 3).replace(/\./g, '\\.')}/24`));
  await skiff(['rm', '-f', 'a']);
  const c = await skiff(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  t.regex(c.stdout, new RegExp(`inet ${gatewayOf(second, 2).replace(/\./g, '\\.')}/24`), 'the new bip once the network was empty');
  t.is(JSON.parse((await skiff(['network', 'inspect', 'bridge'])).stdout)[0].IPAM.Config[0].Subnet, second);
  rmSync(config);
  await nothingLeft(t, skiff);
});

test('published ports answer another host (a network namespace of this test on its own link); an ip-bound port only on that ip', async (t) => {
  const skiff = await engine();
  // The "other host": a namespace joined to this one by a veth, on a /30 that nothing here routes.
  const link = unroutedSubnet(['198.51.100.0/30', '203.0.113.0/30', '10.213.250.0/30']);
  const [hostIp, peerIp] = [1, 2].map((i) => formatIp(parseSubnet(link).base + i));
  const ns = `skiff-test-peer-${process.pid}`;
  const hostEnd = `vsk-peer-${process.pid % 100000}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostEnd);
    ip('link', 'set', hostEnd, 'up');
    ip('-n', ns, 'addr', 'add', `${peerIp}/30`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const port = await freePort();
    const local = await freePort();
    const web = await skiff(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-p', `127.0.0.1:${local}:80`, 'busybox', 'sh', '-c',
      'mkdir /www && echo hello-other-host > /www/index.html && exec httpd -f -p 80 -h /www']);
    t.is(web.exitCode, 0, web.stderr);
    t.deepEqual((await skiff(['port', 'web'])).stdout.split('\n').sort(), [`80/tcp -> 0.0.0.0:${port}`, `80/tcp -> 127.0.0.1:${local}`].sort());
    // The client runs in the peer namespace (node: the host's static busybox
    // crashes in glibc's NSS when it resolves on the host's files).
    const client = `require('http').get(process.argv[1], { timeout: 3000 }, (r) => r.pipe(process.stdout))
      .on('timeout', () => { console.error('timeout'); process.exit(1); }).on('error', (e) => { console.error(e.code); process.exit(1); })`;
    const fromPeer = (target: string) => {
      try {
        return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', client, `http://${target}/`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        return `failed: ${(err as { stderr?: string }).stderr ?? err}`;
      }
    };
    let answer = '';
    for (let i = 0; i < 50 && !answer.startsWith('hello'); i++) {
      answer = fromPeer(`${hostIp}:${port}`);
      if (!answer.startsWith('hello')) await new Promise((r) => setTimeout(r, 100));
    }
    t.is(answer, 'hello-other-host\n', 'the other host reaches the published port on this host\'s address');
    t.regex(fromPeer(`${hostIp}:${local}`), /^failed/, 'a port published on 127.0.0.1 is not reachable from another host');
    t.is(await fetch(`http://127.0.0.1:${local}/`), 'hello-other-host\n', 'but it is on 127.0.0.1');
    await skiff(['rm', '-f', 'web']);
  } finally {
    try { ip('link', 'del', hostEnd); } catch { /* went with the namespace */ }
    ip('netns', 'del', ns);
  }
  await nothingLeft(t, skiff);
});

test('the default subnet taken on this host: the next free one, said once', async (t) => {
  // Whoever holds 172.17.0.0/16 (this file's first root, another test file's,
  // or the host), a second root cannot have the first root's subnet too.
  const first = await engine();
  t.teardown(async () => { await first(['rm', '-f', 'holder']); });
  const holder = await first(['run', '-d', '--name', 'holder', 'busybox', 'sleep', '100']);
  t.is(holder.exitCode, 0, holder.stderr);
  const held = (await first(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'bridge'])).stdout.match(/"Subnet":"([^"]+)"/)?.[1];
  t.truthy(held);
  const second = await engine();
  const r = await second(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  t.is(r.exitCode, 0, r.stderr);
  const got = (await second(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'bridge'])).stdout.match(/"Subnet":"([^"]+)"/)?.[1];
  t.truthy(got);
  t.not(got, held, "the second root never gets the first root's subnet");
  t.regex(r.stdout, new RegExp(`inet ${formatIp(parseSubnet(got!).base + 2).replace(/\./g, '\\.')}/`));
  // Docker's default taken (by the first root, or by another test's root
  // meanwhile): the next free one, and it says so. (Another root may have
  // let 172.17 go in between: then the second has it, and says nothing.)
  if (got !== '172.17.0.0/16') t.regex(r.stderr, new RegExp(`172\\.17\\.0\\.0/16 is in use on this host; the default network uses ${got!.replace(/\./g, '\\.')}`));
  else t.notRegex(r.stderr, /in use on this host/);
  t.notRegex((await second(['run', '--rm', 'busybox', 'true'])).stderr, /in use on this host/, 'said once, when the network is made');
  await first(['rm', '-f', 'holder']);
  await nothingLeft(t, first);
  await nothingLeft(t, second);
});

/** Whether a UDP socket is bound to ip:port (proc(5) /proc/net/udp: little-endian hex address). */
function udpBound(ip: string, port: number): boolean {
  const hex = ip.split('.').reverse().map((b) => Number(b).toString(16).padStart(2, '0')).join('').toUpperCase();
  const want = `${hex}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
  return readFileSync('/proc/net/udp', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === want);
}

test('a user network whose DNS server cannot start: run fails saying so, and leaves nothing', async (t) => {
  const skiff = await engine();
  t.is((await skiff(['network', 'create', 'dnsless'])).exitCode, 0);
  const n = JSON.parse((await skiff(['network', 'inspect', 'dnsless'])).stdout)[0];
  const gateway = n.IPAM.Config[0].Gateway as string;
  const bridge = n.Options['com.docker.network.bridge.name'] as string;
  // Someone else holds port 53 on the gateway address before the first container comes.
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  const { createSocket } = await import('node:dgram');
  const squatter = createSocket('udp4');
  try {
    execFileSync('ip', ['addr', 'add', `${gateway}/${n.IPAM.Config[0].Subnet.split('/')[1]}`, 'dev', bridge]);
    await new Promise<void>((resolve, reject) => { squatter.once('error', reject); squatter.bind(53, gateway, () => resolve()); });
    const r = await skiff(['run', '--rm', '--network', 'dnsless', 'busybox', 'true']);
    t.is(r.exitCode, 125);
    t.regex(r.stderr, new RegExp(`the DNS server of network dnsless failed: bind ${gateway.replace(/\./g, '\\.')}:53: EADDRINUSE`));
  } finally {
    squatter.close();
    try { execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' }); } catch { /* skiff removed it */ }
  }
  t.is((await skiff(['ps', '-aq'])).stdout, '', '--rm removed the container');
  t.is((await skiff(['network', 'rm', 'dnsless'])).exitCode, 0);
  await nothingLeft(t, skiff);
});
