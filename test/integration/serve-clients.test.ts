// Real clients of the Docker Engine API against `skiff serve`: docker-py
// (Debian's python3-docker, test/clients/dockerpy.py), docker-compose 1.29
// (a MariaDB service on a named volume, a web service with a published
// port and depends_on, a user network) and dockerode from TypeScript. Each
// does what its users do; the test checks what they saw and what is left.
import test from 'ava';
import Docker from 'dockerode';
import { execa } from 'execa';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { projectRoot } from '../../src/native.js';
import { FIXTURE_IMAGES } from '../helpers.js';
import { serveSuite } from '../serve.js';

const suite = serveSuite('serve-cli', { registry: { user: 'bob', password: 'pa55' } });

test.serial('docker-py: pull with credentials, run, logs, exec, stats, wait, remove', async (t) => {
  const r = await execa('/usr/bin/python3', [join(projectRoot, 'test/clients/dockerpy.py'), `unix://${suite.served.sock}`, suite.registry.host, 'bob', 'pa55'], { reject: false, timeout: 120_000 });
  t.is(r.exitCode, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  t.is(seen.version, '1.41');
  t.true(seen.ping);
  t.regex(seen.image, /^sha256:[a-f0-9]{64}$/);
  t.true(seen.tags.includes(`${suite.registry.host}/library/busybox:latest`), seen.tags.join());
  t.is(seen.status, 'running');
  t.deepEqual(seen.listed, ['dockerpy-c']);
  t.deepEqual(seen.exec, { code: 3, output: 'from exec\n' });
  t.deepEqual(seen.stats, { has_memory: true, has_cpu: true });
  t.is(seen.logs, 'one\ntwo\nthree\n');
  t.is(seen.stdout_only, 'one\nthree\n');
  t.is(seen.wait, 0);
  t.regex(seen.not_found, /No such container: dockerpy-nope/);
  t.deepEqual(seen.after_remove, []);
});

test.serial('dockerode: a container run with its output and exit code', async (t) => {
  const docker = new Docker({ socketPath: suite.served.sock });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const [result, container] = await docker.run('busybox', ['sh', '-c', 'echo hello from dockerode; echo oops >&2; exit 5'], [stdout, stderr], { Tty: false, HostConfig: { NetworkMode: 'none' } }) as [{ StatusCode: number }, Docker.Container];
  t.teardown(() => suite.engine(['rm', '-f', container.id]));
  t.is(result.StatusCode, 5);
  t.is(out, 'hello from dockerode\n');
  t.is(err, 'oops\n');
  t.is((await container.inspect()).State.ExitCode, 5);
  await container.remove();
  await t.throwsAsync(container.inspect(), { message: /no such container/i });
});

const mariadb = join(FIXTURE_IMAGES, 'mariadb-rootfs.tar.gz');
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
});

if (!existsSync(mariadb)) {
  test.skip('docker-compose (skipped: no MariaDB fixture; the Debian mirror was unreachable when the fixtures were built)', () => {});
} else {
  test.serial('docker-compose: a database on a named volume, a web service with a port and depends_on, a user network', async (t) => {
    const imported = await suite.engine(['import', mariadb, 'mariadb:test', '-c', 'CMD ["/usr/local/bin/db-entrypoint"]'], { timeout: 300_000 });
    t.is(imported.exitCode, 0, imported.stderr);
    const port = await freePort();
    const dir = join(suite.sb.dir, 'compose');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), `version: "3.8"
services:
  db:
    image: mariadb:test
    volumes: ["dbdata:/var/lib/mysql"]
    networks: [backend]
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo served by web > /www/index.html && echo web up && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1:${port}:8080"]
    depends_on: [db]
    networks: [backend]
volumes:
  dbdata: {}
networks:
  backend: {}
`);
    const compose = (args: string[], timeout = 120_000) =>
      execa('docker-compose', ['-p', 'skiffsv', ...args], { cwd: dir, env: suite.served.env, reject: false, timeout }).then((r) => ({ exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr }));
    t.teardown(() => compose(['down', '-v', '--timeout', '5']));
    const sql = (query: string) => compose(['exec', '-T', 'db', 'mariadb', '-N', '-e', query]);
    const untilReady = async () => {
      for (let i = 0; i < 300; i++) {
        if ((await sql('SELECT 1')).exitCode === 0) return true;
        await new Promise((r) => setTimeout(r, 300));
      }
      return false;
    };

    const up = await compose(['up', '-d']);
    t.is(up.exitCode, 0, up.stderr);
    const ps = await compose(['ps']);
    t.regex(ps.stdout, /skiffsv_db_1\s.*\sUp/);
    t.regex(ps.stdout, new RegExp(`skiffsv_web_1\\s.*\\sUp\\s+127\\.0\\.0\\.1:${port}->8080/tcp`));
    // depends_on: the database started first.
    const started = async (name: string) => Date.parse(JSON.parse((await execa('docker', ['inspect', name], { env: suite.served.env })).stdout)[0].State.StartedAt);
    t.true(await started('skiffsv_db_1') <= await started('skiffsv_web_1'));
    // The published port answers from the host; the service name resolves on the user network.
    const page = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    t.is(page, 'served by web\n');
    t.regex((await compose(['logs', '--no-color', 'web'])).stdout, /web_1\s+\| web up/);
    t.is((await compose(['exec', '-T', 'web', 'ping', '-c', '1', '-W', '2', 'db'])).exitCode, 0, 'web reaches db by its service name');

    t.true(await untilReady(), 'the database came up');
    const write = await sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name TEXT); INSERT INTO shop.items VALUES (1, 'apple');");
    t.is(write.exitCode, 0, write.stderr);

    // down keeps the named volume; a new db container finds the data.
    t.is((await compose(['down', '--timeout', '20'])).exitCode, 0);
    t.is((await suite.engine(['ps', '-aq'])).stdout, '', 'the containers went');
    t.is((await suite.engine(['volume', 'ls', '-q'])).stdout, 'skiffsv_dbdata');
    t.is((await suite.engine(['network', 'ls', '-q', '-f', 'name=skiffsv'])).stdout, '', 'the network went');
    t.is((await compose(['up', '-d'])).exitCode, 0);
    t.true(await untilReady());
    t.is((await sql('SELECT name FROM shop.items')).stdout, 'apple');

    // down -v takes the volume with it.
    t.is((await compose(['down', '-v', '--timeout', '20'])).exitCode, 0);
    t.is((await suite.engine(['volume', 'ls', '-q'])).stdout, '');
    t.is((await suite.engine(['ps', '-aq'])).stdout, '');
  });
}
