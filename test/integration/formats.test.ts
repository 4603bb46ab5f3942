// --format is Go's text/template as docker runs it (issue 13 item 4), in
// every command that takes it: the usual idioms over real containers,
// images, volumes and networks, and the `table` directive with docker's
// column names. The template language itself is test/unit/template.test.ts.
import test from 'ava';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('fmt');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('the usual idioms: range over networks, json, table, if/else, printf, join', async (t) => {
  const skiff = await sb.engine();
  await skiff(['network', 'create', 'backend']);
  const id = (await skiff(['run', '-d', '--name', 'web', '--network', 'backend', '-l', 'tier=front', '-v', 'vol:/data', 'busybox', 'sleep', '300'])).stdout;
  const ip = (await skiff(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'web'])).stdout;
  t.regex(ip, /^\d+\.\d+\.\d+\.\d+$/);
  t.is((await skiff(['inspect', '-f', '{{range $name, $n := .NetworkSettings.Networks}}{{$name}}={{$n.IPAddress}}{{end}}', 'web'])).stdout, `backend=${ip}`);
  const config = JSON.parse((await skiff(['inspect', '-f', '{{json .Config}}', 'web'])).stdout);
  t.deepEqual(config.Cmd, ['sleep', '300']);
  t.is((await skiff(['inspect', '-f', '{{if .State.Running}}up{{else}}down{{end}} {{printf "%.5s" .Id}} {{join .Args ","}} {{len .Mounts}}', 'web'])).stdout, `up ${id.slice(0, 5)} 300 1`);
  t.is((await skiff(['inspect', '-f', '{{with index .Config.Labels "tier"}}{{upper .}}{{end}}', 'web'])).stdout, 'FRONT');
  const table = (await skiff(['ps', '--format', 'table {{.ID}}\\t{{.Names}}\\t{{.Label "tier"}}'])).stdout.split('\n');
  // docker's header stops at {{.Label "tier"}} (a call it cannot make over the column names): no name for that column.
  t.deepEqual(table.map((l) => l.split(/\s{2,}/)), [['CONTAINER ID', 'NAMES'], [id.slice(0, 12), 'web', 'front']]);
  t.regex((await skiff(['ps', '--format', 'table'])).stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/, 'table alone: the default columns');
  // images, volume ls, network ls, volume and network inspect.
  t.regex((await skiff(['images', '--format', 'table {{.Repository}}:{{.Tag}}\\t{{.Size}}'])).stdout, /^REPOSITORY:TAG\s+SIZE\nbusybox:latest\s+\d/);
  t.is(JSON.parse((await skiff(['images', '--format', 'json'])).stdout).Repository, 'busybox');
  t.regex((await skiff(['volume', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}'])).stdout, /^VOLUME NAME\s+DRIVER\nvol\s+local$/);
  t.is((await skiff(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{if .Labels}}labels{{else}}none{{end}}', 'vol'])).stdout, 'vol local none');
  t.regex((await skiff(['network', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}', '-f', 'name=backend'])).stdout, /^NAME\s+DRIVER\nbackend\s+bridge$/);
  t.regex((await skiff(['network', 'inspect', '-f', '{{range $id, $c := .Containers}}{{$c.Name}} {{end}}', 'backend'])).stdout, /^web $/);
  // Errors read as docker's: a parse error names the template position.
  const bad = await skiff(['ps', '--format', '{{if .ID}}']);
  t.not(bad.exitCode, 0);
  t.regex(bad.stderr, /template parsing error: template: :1: unexpected EOF/);
  await skiff(['rm', '-f', 'web']);
  await skiff(['volume', 'rm', 'vol']);
  await skiff(['network', 'rm', 'backend']);
});
