// skiff: the engine's command line (Docker's commands, flags and output).
// Argument definitions only; each command lives in commands/.
import type { Command } from 'commander';
import { newProgram, runCli } from '../util/cli.js';
import type { EngineGlobals } from './context.js';
import { imagesCommand } from './commands/images.js';
import { tagCommand } from './commands/tag.js';
import { rmiCommand } from './commands/rmi.js';
import { loadCommand } from './commands/load.js';
import { imageInspectCommand } from './commands/inspect.js';
import { historyCommand } from './commands/history.js';
import { imagePruneCommand } from './commands/prune.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { saveCommand } from './commands/save.js';
import { importCommand } from './commands/import.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { createCommand } from './commands/container/create.js';
import { psCommand } from './commands/container/ps.js';
import { runCommand } from './commands/container/run.js';
import { startCommand } from './commands/container/start.js';
import { attachCommand } from './commands/container/attach.js';
import { stopCommand } from './commands/container/stop.js';
import { restartCommand } from './commands/container/restart.js';
import { killCommand } from './commands/container/kill.js';
import { waitCommand } from './commands/container/wait.js';
import { rmCommand } from './commands/container/rm.js';
import { topCommand } from './commands/container/top.js';
import { execCommand } from './commands/container/exec.js';
import { logsCommand } from './commands/container/logs.js';
import { cleanupCommand } from './commands/container/cleanup.js';
import { portCommand } from './commands/container/port.js';
import { commitCommand } from './commands/container/commit.js';
import { cpCommand } from './commands/container/cp.js';
import { diffCommand } from './commands/container/diff.js';
import { exportCommand } from './commands/container/export.js';
import { inspectCommand } from './commands/container/inspect.js';
import { renameCommand } from './commands/container/rename.js';
import { containerPruneCommand } from './commands/container/prune.js';
import { infoCommand, searchCommand, systemDfCommand, systemPruneCommand, versionCommand } from './commands/system.js';
import { SKIFF_VERSION as ENGINE_VERSION } from './core/system/version.js';
import { pauseCommand, unpauseCommand } from './commands/container/pause.js';
import { updateCommand } from './commands/container/update.js';
import { statsCommand } from './commands/container/stats.js';
import { eventsCommand } from './commands/events.js';
import { dnsServerCommand, networkConnectCommand, networkCreateCommand, networkDisconnectCommand, networkInspectCommand, networkLsCommand, networkPruneCommand, networkRmCommand } from './commands/network.js';
import { volumeCreateCommand, volumeInspectCommand, volumeLsCommand, volumePruneCommand, volumeRmCommand } from './commands/volume.js';
import { completionCommand } from './commands/completion.js';
import { traceFlags } from '../util/courseFlags.js';
import { serveCommand } from './commands/serve.js';
export { runWorker as runWarmWorker } from '../service/worker.js';
export { commandScope as warmCommandScope } from '../service/scope.js';

const VERSION = ENGINE_VERSION;
const collect = (v: string, acc: string[]) => [...acc, v];

// The flags create and run share (docker run(1)).
export const createOptions = (c: Command) => c
  .option('--name <name>', 'container name').option('-e, --env <KEY=value>', 'environment variable', collect, [])
  .option('--env-file <file>', 'read environment variables from a file', collect, [])
  .option('-w, --workdir <dir>', 'working directory').option('-h, --hostname <name>', 'hostname')
  .option('-u, --user <user>', 'user[:group]').option('--entrypoint <cmd>', 'override the image entrypoint')
  .option('-l, --label <k=v>', 'label', collect, []).option('-t, --tty', 'allocate a pseudo-TTY').option('-i, --interactive', 'keep stdin open')
  .option('--restart <policy>', 'no, on-failure[:max-retries], always, unless-stopped')
  .option('--rm', 'remove the container when it exits').option('--read-only', 'mount the root filesystem read-only')
  .option('--cap-add <cap>', 'add a capability', collect, []).option('--cap-drop <cap>', 'drop a capability', collect, [])
  .option('--privileged', 'all capabilities, no seccomp, no masked paths')
  .option('--security-opt <opt>', 'seccomp=PROFILE.json (Docker\'s format), seccomp=unconfined, no-new-privileges', collect, []).option('--init', 'run an init (skiff-init) as PID 1 that reaps zombies and forwards signals')
  .option('--stop-signal <signal>', 'signal to stop the container').option('--stop-timeout <seconds>', 'seconds to wait before SIGKILL')
  .option('-m, --memory <bytes>', 'memory limit (e.g. 512m)').option('--cpus <number>', 'number of CPUs')
  .option('--cpuset-cpus <list>', 'CPUs allowed (0-3, 0,1)').option('--pids-limit <n>', 'process limit (-1: unlimited)')
  .option('-v, --volume <spec>', 'bind mount /host:/ctr[:ro|rw], named volume name:/ctr, or anonymous volume /ctr', collect, [])
  .option('--mount <spec>', 'type=bind|volume|tmpfs,source=..,target=..[,readonly]', collect, [])
  .option('--tmpfs <path[:options]>', 'a tmpfs at path', collect, [])
  .option('--volumes-from <container[:ro|rw]>', "the volumes of another container", collect, [])
  .option('--network <network>', 'bridge (default), none, host, container:<name|id>, or a user network')
  .option('--net <network>', 'the same as --network')
  .option('--network-alias <alias>', 'another name on a user network', collect, [])
  .option('-p, --publish <[ip:][hostPort:]port[/proto]>', 'publish a container port on the host', collect, [])
  .option('-P, --publish-all', 'publish every exposed port on a random host port')
  .option('--expose <port[/proto]>', 'expose a port (for -P)', collect, [])
  .option('--link <name[:alias]>', 'add name (as alias) to /etc/hosts (default network)', collect, [])
  .passThroughOptions();

/**
 * `create`'s arguments and flags as skiff's parser reads them (the one the
 * create command uses): for tests that compare the request with docker's.
 */
export function parseCreateArgs(argv: string[]): { image: string; command: string[]; flags: Record<string, unknown> } {
  let parsed: { image: string; command: string[]; flags: Record<string, unknown> } | undefined;
  const program = newProgram('skiff').enablePositionalOptions();
  createOptions(program.command('create').argument('<image>').argument('[command...]'))
    .action((image: string, command: string[], flags: Record<string, unknown>) => { parsed = { image, command, flags }; });
  program.parse(['node', 'skiff', 'create', ...argv]);
  return parsed!;
}

function globals(program: Command): EngineGlobals {
  const o = program.opts();
  return { root: o.root, debug: !!o.debug, warn: (line) => process.stderr.write(`skiff: ${line}\n`) };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = newProgram('skiff')
    .description('a container engine')
    .version(`skiff version ${VERSION}`, '-v, --version')
    .option('--root <dir>', 'engine state directory', process.env.SKIFF_ROOT ?? '/var/lib/skiff')
    .option('-D, --debug', 'debug output')
    .enablePositionalOptions();

  const image = program.command('image').description('manage images');

  // Each command exists at the top level and under `image` (docker's grouped form).
  const define = (parents: [Command, string][], build: (c: Command) => Command) => { for (const [p, name] of parents) build(p.command(name)); };

  define([[program, 'images'], [image, 'ls']], (c) => c.description('list images').argument('[repository]')
    .option('-a, --all', 'show all images').option('-q, --quiet', 'only image IDs').option('--digests', 'show digests')
    .option('--no-trunc', 'do not truncate output').option('-f, --filter <filter>', 'filter (dangling=true|false)', collect, [])
    .option('--format <template>', "Go template: 'table {{.Repository}}\\t{{.Tag}}', '{{json .}}'")
    .action((repo, o) => imagesCommand(globals(program), repo, { ...o, noTrunc: o.trunc === false })));

  define([[program, 'tag'], [image, 'tag']], (c) => c.description('create a tag TARGET that refers to SOURCE')
    .argument('<source>').argument('<target>').action((s, t) => tagCommand(globals(program), s, t)));

  define([[program, 'rmi'], [image, 'rm']], (c) => c.description('remove images').argument('<images...>')
    .option('-f, --force', 'force removal').action(async (imgs, o) => setExit(await rmiCommand(globals(program), imgs, o))));

  define([[program, 'load'], [image, 'load']], (c) => c.description('load images from a tar archive (docker-archive or OCI layout)')
    .option('-i, --input <file>', 'read from a file instead of stdin').option('-q, --quiet', 'suppress output')
    .action((o) => loadCommand(globals(program), o)));

  define([[program, 'history'], [image, 'history']], (c) => c.description('show the history of an image').argument('<image>')
    .option('--no-trunc', 'do not truncate output').option('-q, --quiet', 'only image IDs')
    .action((img, o) => historyCommand(globals(program), img, { ...o, noTrunc: o.trunc === false })));

  image.command('inspect').description('display detailed information on images').argument('<images...>')
    .option('-f, --format <template>', "Go template, e.g. '{{.Id}}'")
    .action(async (imgs, o) => setExit(o.format ? await inspectCommand(globals(program), imgs, { type: 'image', format: o.format }) : imageInspectCommand(globals(program), imgs)));

  image.command('prune').description('remove unused images').option('-a, --all', 'all images without a container')
    .option('-f, --force', 'do not prompt').option('--filter <k=v>', 'filter (until=, label=, label!=)', collect, []).action((o) => imagePruneCommand(globals(program), o));

  define([[program, 'pull'], [image, 'pull']], (c) => traceFlags(c.description('download an image from a registry').argument('<name>'))
    .option('--platform <os/arch[/variant]>', 'platform to pull from a multi-platform image')
    .option('-q, --quiet', 'print only the image name')
    .action((name, o) => pullCommand(globals(program), name, o)));

  define([[program, 'push'], [image, 'push']], (c) => c.description('upload an image to a registry').argument('<name>', 'NAME[:TAG]')
    .option('-a, --all-tags', 'push every tag of the repository')
    .option('-q, --quiet', 'print only the pushed references')
    .option('--compression <gzip|zstd>', 'compression for layers made here (commit, import)', 'gzip')
    .action((name, o) => pushCommand(globals(program), name, o)));

  define([[program, 'save'], [image, 'save']], (c) => c.description('save images to a tar archive (docker-archive)').argument('<images...>')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((imgs, o) => saveCommand(globals(program), imgs, o)));

  define([[program, 'import'], [image, 'import']], (c) => c.description('create an image from a root filesystem tarball')
    .argument('<file>', 'tarball, or - for stdin').argument('[reference]')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR)', collect, [])
    .option('-m, --message <message>', 'commit message')
    .action((file, ref, o) => importCommand(globals(program), file, ref, o)));

  const container = program.command('container').description('manage containers');


  define([[program, 'create'], [container, 'create']], (c) => createOptions(c.description('create a container').argument('<image>').argument('[command...]'))
    .action((img, cmd, o) => createCommand(globals(program), img, cmd, o)));

  define([[program, 'run'], [container, 'run']], (c) => traceFlags(createOptions(c.description('create and run a container (pulls the image if missing)').argument('<image>').argument('[command...]')))
    .option('-d, --detach', 'run in the background, print the container ID').option('--detach-keys <keys>', 'keys that detach (default ctrl-p,ctrl-q)')
    .option('--no-sig-proxy', 'do not pass signals to the container')
    .action(async (img, cmd, o) => setExit(await runCommand(globals(program), img, cmd, o))));

  define([[program, 'start'], [container, 'start']], (c) => c.description('start containers').argument('<containers...>')
    .option('-a, --attach', 'attach stdout/stderr').option('-i, --interactive', 'attach stdin').option('--detach-keys <keys>', 'keys that detach')
    .action(async (names, o) => setExit(await startCommand(globals(program), names, o))));

  define([[program, 'stop'], [container, 'stop']], (c) => c.description('stop containers (stop signal, then SIGKILL)').argument('<containers...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing').option('-s, --signal <signal>', 'signal to send first')
    .action(async (names, o) => setExit(await stopCommand(globals(program), names, o))));

  define([[program, 'restart'], [container, 'restart']], (c) => c.description('restart containers').argument('<containers...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing')
    .action(async (names, o) => setExit(await restartCommand(globals(program), names, o))));

  define([[program, 'kill'], [container, 'kill']], (c) => c.description('send a signal to containers (default KILL)').argument('<containers...>')
    .option('-s, --signal <signal>', 'signal to send', 'KILL')
    .action(async (names, o) => setExit(await killCommand(globals(program), names, o))));

  define([[program, 'attach'], [container, 'attach']], (c) => c.description('attach to a running container (Ctrl-P Ctrl-Q detaches)').argument('<container>')
    .option('--no-stdin', 'do not attach stdin').option('--detach-keys <keys>', 'keys that detach').option('--no-sig-proxy', 'do not pass signals')
    .action(async (name, o) => setExit(await attachCommand(globals(program), name, o))));

  define([[program, 'exec'], [container, 'exec']], (c) => c.description('run a command in a running container').argument('<container>').argument('<command...>')
    .option('-i, --interactive', 'keep stdin open').option('-t, --tty', 'allocate a pseudo-TTY').option('-d, --detach', 'run in the background')
    .option('-e, --env <KEY=value>', 'environment variable', collect, []).option('-w, --workdir <dir>', 'working directory')
    .option('-u, --user <user>', 'user[:group]').passThroughOptions()
    .action(async (name, cmd, o) => setExit(await execCommand(globals(program), name, cmd, o))));

  define([[program, 'logs'], [container, 'logs']], (c) => c.description("show a container's output").argument('<container>')
    .option('-f, --follow', 'follow the output').option('-n, --tail <n>', 'lines from the end (or "all")')
    .option('-t, --timestamps', 'show timestamps').option('--since <time>', 'since a time (RFC 3339, unix, or 10m)')
    .option('--until <time>', 'until a time')
    .action((name, o) => logsCommand(globals(program), name, o)));

  define([[program, 'wait'], [container, 'wait']], (c) => c.description('wait for containers to stop, print their exit codes').argument('<containers...>')
    .action(async (names) => setExit(await waitCommand(globals(program), names))));

  define([[program, 'top'], [container, 'top']], (c) => c.description("a container's processes").argument('<container>').argument('[ps-options...]')
    .passThroughOptions().action((name, args) => topCommand(globals(program), name, args)));

  define([[program, 'port'], [container, 'port']], (c) => c.description("a container's published ports").argument('<container>').argument('[port]')
    .action((name, port) => portCommand(globals(program), name, port)));

  define([[program, 'commit'], [container, 'commit']], (c) => c.description("create an image from a container's changes").argument('<container>').argument('[repository[:tag]]')
    .option('-m, --message <text>', 'commit message').option('-a, --author <name>', 'author')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR)', collect, [])
    .option('--no-pause', 'do not pause the container while committing')
    .action((name, ref, o) => commitCommand(globals(program), name, ref, o)));

  define([[program, 'diff'], [container, 'diff']], (c) => c.description("changes to a container's filesystem (A added, C changed, D deleted)").argument('<container>')
    .action((name) => diffCommand(globals(program), name)));

  define([[program, 'export'], [container, 'export']], (c) => c.description("a container's filesystem as a tar archive").argument('<container>')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((name, o) => exportCommand(globals(program), name, o)));

  define([[program, 'cp'], [container, 'cp']], (c) => c.description('copy files between a container and the host').argument('<src>', 'CONTAINER:PATH or host path')
    .argument('<dest>', 'host path or CONTAINER:PATH')
    .action((src, dest) => cpCommand(globals(program), src, dest)));

  container.command('cleanup', { hidden: true }).description("the monitor's exit command: finish, restart or remove").argument('<id>')
    .option('--setup-fd <fd>', 'channel to a setup helper the monitor started')
    .action((id, o) => cleanupCommand(globals(program), id, o));

  define([[program, 'ps'], [container, 'ls']], (c) => c.description('list containers')
    .option('-a, --all', 'show all containers').option('-q, --quiet', 'only IDs').option('--no-trunc', 'do not truncate')
    .option('-s, --size', 'show the size of each container\'s own layer')
    .option('-n, --last <n>', 'the n last created').option('-l, --latest', 'the last created')
    .option('-f, --filter <k=v>', 'filter (status, name, id, label, ancestor)', collect, [])
    .option('--format <template>', "Go template: '{{.ID}} {{.Names}}', 'table {{.ID}}\\t{{.Status}}', '{{json .}}'")
    .action(async (o) => psCommand(globals(program), { ...o, noTrunc: o.trunc === false })));

  define([[program, 'rm'], [container, 'rm']], (c) => c.description('remove containers').argument('<containers...>')
    .option('-f, --force', 'force removal').option('-v, --volumes', 'remove anonymous volumes')
    .action(async (names, o) => setExit(await rmCommand(globals(program), names, o))));

  define([[program, 'rename'], [container, 'rename']], (c) => c.description('rename a container').argument('<container>').argument('<new-name>')
    .action((ctr, name) => renameCommand(globals(program), ctr, name)));

  define([[program, 'pause'], [container, 'pause']], (c) => c.description('pause all processes within containers (cgroup freezer)').argument('<containers...>')
    .action(async (names) => setExit(await pauseCommand(globals(program), names))));

  define([[program, 'unpause'], [container, 'unpause']], (c) => c.description('unpause all processes within containers').argument('<containers...>')
    .action(async (names) => setExit(await unpauseCommand(globals(program), names))));

  define([[program, 'update'], [container, 'update']], (c) => c.description('update the resources and restart policy of containers').argument('<containers...>')
    .option('--cpus <number>', 'number of CPUs').option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpu-period <int>', 'limit CPU CFS (Completely Fair Scheduler) period').option('--cpu-quota <int>', 'limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)').option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', 'swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--pids-limit <int>', 'tune container pids limit (set -1 for unlimited)').option('--restart <policy>', 'restart policy to apply when a container exits')
    .action(async (names, o) => setExit(await updateCommand(globals(program), names, o))));

  define([[program, 'stats'], [container, 'stats']], (c) => c.description("a live stream of containers' resource usage").argument('[containers...]')
    .option('-a, --all', 'show all containers (default shows just running)').option('--no-stream', 'print one result and exit')
    .option('--no-trunc', 'do not truncate output').option('--format <template>', "'table', 'table TEMPLATE', 'json' or a Go template")
    .action(async (names, o) => setExit(await statsCommand(globals(program), names, { ...o, noStream: o.stream === false, noTrunc: o.trunc === false }))));

  container.command('prune').description('remove all stopped containers').option('-f, --force', 'do not prompt')
    .option('--filter <k=v>', 'filter (until=, label=, label!=)', collect, [])
    .action((o) => containerPruneCommand(globals(program), o));

  define([[program, 'inspect'], [container, 'inspect']], (c) => c.description('low-level information on containers and images').argument('<names...>')
    .option('--type <type>', 'container or image').option('-f, --format <template>', "Go template, e.g. '{{.Id}}' or '{{json .Config}}'")
    .action(async (names, o) => setExit(await inspectCommand(globals(program), names, o))));

  const volume = program.command('volume').description('manage volumes');
  volume.command('create').description('create a volume').argument('[name]')
    .option('--name <name>', 'volume name').option('-d, --driver <driver>', 'volume driver (local)', 'local')
    .option('-l, --label <k=v>', 'label', collect, []).option('-o, --opt <k=v>', 'driver option', collect, [])
    .action((name, o) => volumeCreateCommand(globals(program), name, o));
  volume.command('ls').alias('list').description('list volumes').option('-q, --quiet', 'only names')
    .option('-f, --filter <k=v>', 'filter (dangling=true|false, name=, label=, driver=)', collect, [])
    .option('--format <template>', 'Go template')
    .action((o) => volumeLsCommand(globals(program), o));
  volume.command('inspect').description('display detailed information on volumes').argument('<names...>')
    .option('-f, --format <template>', "Go template, e.g. '{{.Mountpoint}}'")
    .action((names, o) => setExit(volumeInspectCommand(globals(program), names, o)));
  volume.command('rm').alias('remove').description('remove volumes (never one in use)').argument('<names...>')
    .option('-f, --force', 'no error for a missing volume')
    .action(async (names, o) => setExit(await volumeRmCommand(globals(program), names, o)));
  volume.command('prune').description('remove unused anonymous volumes (-a: all unused volumes)')
    .option('-a, --all', 'named volumes too').option('-f, --force', 'do not prompt')
    .option('--filter <k=v>', 'filter (label=, label!=)', collect, [])
    .action((o) => volumePruneCommand(globals(program), o));

  const network = program.command('network').description('manage networks');
  network.command('create').description('create a bridge network').argument('<name>')
    .option('-d, --driver <driver>', 'network driver (bridge)', 'bridge').option('--subnet <cidr>', 'subnet, e.g. 172.30.0.0/16')
    .option('--gateway <ip>', 'gateway address in the subnet').option('--label <k=v>', 'label', collect, [])
    .action((name, o) => networkCreateCommand(globals(program), name, o));
  network.command('ls').alias('list').description('list networks').option('-q, --quiet', 'only IDs').option('--no-trunc', 'full IDs')
    .option('-f, --filter <k=v>', 'filter (name=, driver=)', collect, []).option('--format <template>', 'Go template')
    .action((o) => networkLsCommand(globals(program), { ...o, noTrunc: o.trunc === false }));
  network.command('inspect').description('display detailed information on networks').argument('<names...>')
    .option('-f, --format <template>', 'Go template').action((names, o) => setExit(networkInspectCommand(globals(program), names, o)));
  network.command('rm').alias('remove').description('remove networks (none with containers)').argument('<names...>')
    .action(async (names) => setExit(await networkRmCommand(globals(program), names)));
  network.command('prune').description('remove networks no container uses').option('-f, --force', 'do not prompt')
    .option('--filter <k=v>', 'filter (until=, label=, label!=)', collect, [])
    .action((o) => networkPruneCommand(globals(program), o));
  network.command('connect').description('connect a container to a network').argument('<network>').argument('<container>')
    .option('--alias <name>', 'another name on this network', collect, [])
    .action((net, ctr, o) => networkConnectCommand(globals(program), net, ctr, o));
  network.command('disconnect').description('disconnect a container from a network').argument('<network>').argument('<container>')
    .action((net, ctr) => networkDisconnectCommand(globals(program), net, ctr));
  network.command('dns-server', { hidden: true }).description("a user network's DNS server").argument('<id>')
    .action((id) => dnsServerCommand(globals(program), id));

  program.command('login').description('log in to a registry').argument('[server]')
    .option('-u, --username <user>').option('-p, --password <password>').option('--password-stdin', 'read the password from stdin')
    .action((server, o) => loginCommand(globals(program), server, o));
  program.command('logout').description('log out from a registry').argument('[server]')
    .action((server) => logoutCommand(server));

  program.command('serve').description('serve the Docker Engine API (docker CLI, docker-compose, SDKs)')
    .option('-H, --host <address>', 'unix:///PATH, tcp://ADDR:PORT or fd:// (repeatable; default unix:///run/skiff/docker.sock)', collect, [])
    .option('--no-warm', 'do not serve the CLIs\' warm path (SKIFF_SERVICE_SOCKET, default /run/skiff/cli.sock)')
    .option('--warm-workers <n>', 'warm workers kept ready (default 2)')
    .action((o) => serveCommand(globals(program), o));

  const system = program.command('system').description('manage skiff');
  define([[program, 'info'], [system, 'info']], (c) => c.description('display system-wide information')
    .option('-f, --format <template>', "'json' or a Go template, e.g. '{{.ServerVersion}}'")
    .action((o) => infoCommand(globals(program), o)));
  define([[program, 'events'], [system, 'events']], (c) => c.description('get real time events from the engine')
    .option('--since <time>', 'show all events created since timestamp').option('--until <time>', 'stream events until this timestamp')
    .option('-f, --filter <k=v>', 'filter (container, event, image, label, network, type, volume)', collect, [])
    .option('--format <template>', "'json' or a Go template")
    .action((o) => eventsCommand(globals(program), o)));
  system.command('df').description('show disk usage').option('-v, --verbose', 'show detailed information on space usage')
    .option('--format <template>', "'table', 'table TEMPLATE', 'json' or a Go template")
    .action((o) => systemDfCommand(globals(program), o));
  system.command('prune').description('remove unused data').option('-a, --all', 'remove all unused images not just dangling ones')
    .option('--volumes', 'prune anonymous volumes').option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <k=v>', 'filter (until=, label=, label!=)', collect, [])
    .action((o) => systemPruneCommand(globals(program), o));
  program.command('search').description('not available: skiff has no Docker Hub to search').argument('[term]')
    .allowUnknownOption().action(() => setExit(searchCommand()));
  program.command('completion').description('print a shell completion script').argument('<shell>', 'bash')
    .action((shell) => completionCommand(program, shell));

  program.command('version').description('show the version').option('-f, --format <template>', "'json' or a Go template, e.g. '{{.Server.Version}}'")
    .action((o) => versionCommand(o));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => { exitCode = code; });
  // docker: 125 when the engine itself fails (docker run(1) "Exit Status").
  return runCli({ name: 'skiff', program, argv, exitCode: () => exitCode, usageExit: usageExitCode, errorExit: 125 });
}

/**
 * docker v28's usage errors (cobra): a bad flag or a flag without its value
 * is docker's own StatusError 125; an unknown command or a wrong number of
 * arguments is a plain error, exit 1 (`docker rm`, `docker exec c1`,
 * `docker nosuch` all exit 1).
 */
export function usageExitCode(code: string): number {
  return ['commander.unknownCommand', 'commander.missingArgument', 'commander.excessArguments'].includes(code) ? 1 : 125;
}
