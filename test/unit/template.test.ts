// Go text/template as docker --format uses it: a table of templates and
// what Go (and docker's functions) print for them. Cases marked "docs" are
// the examples of docs.docker.com "Format command and log output" and of
// the docker inspect / ps / images reference pages.
import test from 'ava';
import { formatList, renderTemplate } from '../../src/util/template.js';

const container = {
  Id: 'abc123',
  Name: '/web',
  Args: ['-g', 'daemon off;'],
  Image: 'sha256:1234',
  Config: { Image: 'nginx:1.27', Env: ['A=1', 'B=2'], Labels: { 'com.x': 'y', a: 'b' }, Cmd: ['nginx'], Tty: false },
  State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0 },
  NetworkSettings: {
    Networks: { bridge: { IPAddress: '172.17.0.2', Gateway: '172.17.0.1' }, user: { IPAddress: '10.0.0.5', Gateway: '10.0.0.1' } },
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
  },
  Mounts: [{ Type: 'volume', Name: 'data', Destination: '/data' }],
  LogPath: '/var/lib/skiff/containers/abc123/log',
  Empty: null,
  Zero: 0,
  Names: ['web', 'web2'],
};

const cases: [string, string, string][] = [
  // docs: "Format command and log output"
  ['docs join', '{{join .Args " , "}}', '-g , daemon off;'],
  ['docs json', '{{json .Mounts}}', '[{"Type":"volume","Name":"data","Destination":"/data"}]'],
  ['docs lower', '{{lower .Name}}', '/web'],
  ['docs split', '{{split .Config.Image ":"}}', '[nginx 1.27]'],
  ['docs title', '{{title .Name}}', '/Web'],
  ['docs upper', '{{upper .Name}}', '/WEB'],
  ['docs println', '{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', '172.17.0.2\n10.0.0.5\n'],
  ['docs split of join', '{{split (join .Names "/") "/"}}', '[web web2]'],
  // docs: docker inspect reference
  ['inspect IP', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', '172.17.0.210.0.0.5'],
  ['inspect log path', '{{.LogPath}}', '/var/lib/skiff/containers/abc123/log'],
  ['inspect image', '{{.Config.Image}}', 'nginx:1.27'],
  ['inspect ports range', '{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{(index $conf 0).HostPort}} {{end}}', ' 80/tcp -> 8080 '],
  ['inspect index port', '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', '8080'],
  ['inspect json config', '{{json .Config}}', '{"Image":"nginx:1.27","Env":["A=1","B=2"],"Labels":{"com.x":"y","a":"b"},"Cmd":["nginx"],"Tty":false}'],
  // Go's printing of values
  ['list', '{{.Config.Env}}', '[A=1 B=2]'],
  ['map sorted', '{{.Config.Labels}}', 'map[a:b com.x:y]'],
  ['missing', '{{.Missing}}', '<no value>'],
  ['missing deeper', '{{.Missing.Deeper}}', '<no value>'],
  ['nil', '{{.Empty}}', '<nil>'],
  ['bool and number', '{{.State.Running}} {{.State.Pid}}', 'true 42'],
  ['dot', '{{range .Names}}[{{.}}]{{end}}', '[web][web2]'],
  // control structures
  ['if', '{{if .State.Running}}up{{end}}', 'up'],
  ['if else', '{{if .Zero}}yes{{else}}no{{end}}', 'no'],
  ['else if', '{{if eq .State.Status "exited"}}E{{else if eq .State.Status "running"}}R{{else}}?{{end}}', 'R'],
  ['with', '{{with .Config}}{{.Image}}{{end}}', 'nginx:1.27'],
  ['with else', '{{with .Empty}}x{{else}}none{{end}}', 'none'],
  ['range else', '{{range .Empty}}x{{else}}empty{{end}}', 'empty'],
  ['range index', '{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}', '0=web 1=web2 '],
  ['range map keys', '{{range $k, $v := .Config.Labels}}{{$k}},{{end}}', 'a,com.x,'],
  ['root inside range', '{{range .Names}}{{$.Id}}{{end}}', 'abc123abc123'],
  ['break', '{{range .Names}}{{.}}{{break}}{{end}}', 'web'],
  ['continue', '{{range .Names}}{{if eq . "web"}}{{continue}}{{end}}{{.}}{{end}}', 'web2'],
  ['variable', '{{$n := .Name}}{{$n}}!', '/web!'],
  ['variable reassigned', '{{$n := 1}}{{range .Names}}{{$n = .}}{{end}}{{$n}}', 'web2'],
  // comparisons and logic
  ['eq many', '{{eq .State.Status "exited" "running"}}', 'true'],
  ['ne', '{{ne .State.Pid 42}}', 'false'],
  ['lt le gt ge', '{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true false'],
  ['and or not', '{{and .State.Running .Zero}} {{or .Zero .Name}} {{not .Zero}}', '0 /web true'],
  ['and short-circuits', '{{and .Empty (index .Empty 1)}}', '<nil>'],
  // functions
  ['printf', '{{printf "%s has %d args, %5.2f %q %x %v" .Name (len .Args) 3.14159 "q" 255 .Names}}', '/web has 2 args,  3.14 "q" ff [web web2]'],
  ['printf pad', '{{printf "%-6s|%6s|%03d" "ab" "cd" 7}}', 'ab    |    cd|007'],
  ['printf missing', '{{printf "%d %d" 1}}', '1 %!d(MISSING)'],
  ['len', '{{len .Names}} {{len .Config.Labels}} {{len "héllo"}}', '2 2 6'],
  ['index list', '{{index .Names 1}}', 'web2'],
  ['slice', '{{slice .Id 0 3}}', 'abc'],
  ['print', '{{print "a" 1 2 "b"}}', 'a1 2b'],
  ['pad', '{{pad .Id 2 1}}|', '  abc123 |'],
  ['pad empty', '{{pad "" 2 1}}|', '|'],
  ['truncate', '{{truncate .Id 3}} {{truncate "ab" 5}}', 'abc ab'],
  ['title words', '{{title "hello wide-world"}}', 'Hello Wide-World'],
  ['pipeline', '{{.Name | upper | printf "<%s>"}}', '</WEB>'],
  ['pipeline into len', '{{.Names | len}}', '2'],
  ['parenthesised field', '{{(index .Mounts 0).Name}}', 'data'],
  ['json string', '{{json .Name}}', '"/web"'],
  ['json whole', '{{json .State}}', '{"Status":"running","Running":true,"Pid":42,"ExitCode":0}'],
  ['nested call', '{{upper (index .Config.Labels "com.x")}}', 'Y'],
  ['html', '{{html "<a&b>"}}', '&lt;a&amp;b&gt;'],
  ['raw string', '{{`a"b`}}', 'a"b'],
  ['char constant', "{{printf \"%c\" 'x'}}", 'x'],
  // whitespace trimming and comments
  ['trim', 'a  {{- .Id -}}  b', 'aabc123b'],
  ['trim newlines', '{{range .Names -}}\n  {{.}}\n{{- end}}', 'webweb2'],
  ['comment', 'a{{/* a comment */}}b', 'ab'],
  ['trimmed comment', 'a {{- /* c */ -}} b', 'ab'],
  ['braces in string', '{{"}}"}}', '}}'],
];

for (const [name, template, expected] of cases) {
  test(`template: ${name}`, (t) => {
    t.is(renderTemplate(template, container), expected, template);
  });
}

const errors: [string, RegExp][] = [
  ['{{if .Id}}x', /unexpected EOF/],
  ['{{end}}', /unexpected \{\{end\}\}/],
  ['{{nosuchfunc .Id}}', /function "nosuchfunc" not defined/],
  ['{{$x}}', /undefined variable: \$x/],
  ['{{.Id', /unclosed action/],
  ['{{index .Names 5}}', /index out of range: 5/],
  ['{{eq .Names "a"}}', /non-comparable type/],
  ['{{lt 1 "a"}}', /incompatible types for comparison/],
  ['{{break}}', /outside \{\{range\}\}/],
  ['{{.Id | }}', /missing command after/],
  ['{{len 3}}', /len of type number/],
];
for (const [template, message] of errors) {
  test(`template error: ${template}`, (t) => {
    t.throws(() => renderTemplate(template, container), { message });
  });
}

test('table: a header from the column names, columns aligned as tabwriter (minwidth 10, padding 3)', (t) => {
  const rows = [{ ID: 'abc123def456', Names: 'web' }, { ID: 'fed', Names: 'db' }];
  const headers = { ID: 'CONTAINER ID', Names: 'NAMES' };
  t.is(formatList('table {{.ID}}\\t{{.Names}}', rows, headers),
    'CONTAINER ID   NAMES\n' +
    'abc123def456   web\n' +
    'fed            db\n');
  // docker's functions pass the column name through in the header.
  t.is(formatList('table {{upper .Names}}\t{{truncate .ID 3}}', rows, headers), 'NAMES     CONTAINER ID\nWEB       abc\nDB        fed\n');
  t.is(formatList('{{.Names}}', rows, headers), 'web\ndb\n');
  t.is(formatList('json', rows, headers), '{"ID":"abc123def456","Names":"web"}\n{"ID":"fed","Names":"db"}\n');
  t.is(formatList('table', rows, headers, 'table {{.Names}}'), 'NAMES\nweb\ndb\n');
});

test('a field that is a function is called with its arguments (docker ps {{.Label "k"}})', (t) => {
  const view = { Label: (k: string) => ({ app: 'shop' })[k] ?? '' };
  t.is(renderTemplate('{{.Label "app"}}|{{.Label "x"}}', view), 'shop|');
});
