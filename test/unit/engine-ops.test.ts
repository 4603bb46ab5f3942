// Pure parts of stats and events: docker's CPU/memory/IO arithmetic over a
// ContainerStats reading, /proc parsers, event filters and docker's line.
import test from 'ava';
import { parseNetDev, statsView, systemCpuUsage, type ContainerStats } from '../../src/engine/core/containers/stats.js';
import { eventMessage, matchesFilters, parseEventFilters } from '../../src/engine/events.js';
import { prettyEvent } from '../../src/engine/commands/events.js';

const cpu = (total: number, system: number) => ({
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: system, online_cpus: 4,
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

test('stats: CPU % is the share of host CPU time between two readings times the CPUs; memory without inactive file pages', (t) => {
  const s: ContainerStats = {
    id: 'a'.repeat(64), name: '/web', read: '', preread: '', num_procs: 0,
    pids_stats: { current: 7 },
    blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'Read', value: 2_000_000 }, { major: 8, minor: 0, op: 'Write', value: 1500 }], io_serviced_recursive: null },
    precpu_stats: cpu(1_000_000_000, 100_000_000_000),
    cpu_stats: cpu(1_500_000_000, 102_000_000_000), // 0.5 s of 2 s host time on 4 CPUs: 100%
    memory_stats: { usage: 50 * 1024 * 1024, limit: 200 * 1024 * 1024, stats: { total_inactive_file: 10 * 1024 * 1024 } },
    networks: { eth0: { rx_bytes: 1280, tx_bytes: 516, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
  };
  t.deepEqual(statsView(s), {
    Container: 'aaaaaaaaaaaa', ID: 'aaaaaaaaaaaa', Name: 'web', CPUPerc: '100.00%', MemUsage: '40MiB / 200MiB', MemPerc: '20.00%',
    NetIO: '1.28kB / 516B', BlockIO: '2MB / 1.5kB', PIDs: '7',
  });
  t.is(statsView({ ...s, precpu_stats: s.cpu_stats }).CPUPerc, '0.00%', 'no time passed: 0, not NaN');
});

test('stats: /proc/stat in nanoseconds, /proc/<pid>/net/dev without loopback', (t) => {
  t.is(systemCpuUsage('cpu  100 0 50 850 0 0 0 0 0 0\ncpu0 1 2 3\n'), 1000 * 1e7);
  const dev = 'Inter-|   Receive\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n'
    + '    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0\n'
    + '  eth0:    1280      10    0    0    0     0          0         0      516       6    0    0    0     0       0          0\n';
  t.deepEqual(Object.keys(parseNetDev(dev)), ['eth0']);
  t.is(parseNetDev(dev).eth0.tx_bytes, 516);
});

test('events: filters as docker (same key ORs, keys AND), docker\'s line', (t) => {
  const e = eventMessage('container', 'die', 'c0ffee', { name: 'web', image: 'busybox', exitCode: '1', tier: 'db' }, Date.UTC(2026, 0, 2, 3, 4, 5));
  const match = (...f: string[]) => matchesFilters(e, parseEventFilters(f));
  t.true(match('event=start', 'event=die'));
  t.false(match('event=die', 'type=image'));
  t.true(match('container=web'));
  t.true(match('container=c0f'), 'an ID prefix');
  t.true(match('image=busybox', 'label=tier=db', 'label=tier'));
  t.false(match('label=tier=web'));
  t.throws(() => parseEventFilters(['colour=red']), { message: "invalid filter 'colour'" });
  t.throws(() => parseEventFilters(['event']), { message: /bad format of filter/ });
  process.env.TZ = 'UTC';
  t.regex(prettyEvent(e), /^2026-01-02T03:04:05\.\d{9}Z container die c0ffee \(exitCode=1, image=busybox, name=web, tier=db\)\n$/);
});
