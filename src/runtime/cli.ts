// skiff-runtime: the runc-compatible command line. This file only defines
// arguments and maps them onto commands/*.ts; the work is in lifecycle.ts.
// Flags and behaviour follow runc(8) and the OCI runtime command line
// (runtime-tools docs/command-line-interface.md).
import { basename } from 'node:path';
import { type Command, type Help, InvalidArgumentError, Option } from 'commander';
import { SkiffError } from '../errors.js';
import { newProgram, runCli } from '../util/cli.js';
export { useSetupSpawner } from './setupProcess.js';
import { logLine, type Globals } from './globals.js';
import { trace } from '../util/trace.js';
import { specCommand } from './commands/spec.js';
import { createCommand } from './commands/create.js';
import { startCommand } from './commands/start.js';
import { stateCommand } from './commands/state.js';
import { killCommand } from './commands/kill.js';
import { deleteCommand } from './commands/delete.js';
import { runCommand } from './commands/run.js';
import { listCommand } from './commands/list.js';
import { psCommand } from './commands/ps.js';
import { execCommand } from './commands/exec.js';
import { pauseCommand, resumeCommand } from './commands/pause.js';
import { updateCommand } from './commands/update.js';
import { eventsCommand } from './commands/events.js';
import { featuresCommand } from './commands/features.js';
import { splitTraceFlag, stepFlags, traceFlags } from '../util/courseFlags.js';
import { checkpointCommand, restoreCommand } from './commands/checkpoint.js';

// The name we were invoked by: installed as (or linked to) "runc", the help,
// version and error texts say "runc", as busybox applets do (main sets it).
let NAME = 'skiff-runtime';
const VERSION = '0.1.0';
const OCI_SPEC_VERSION = '1.2.0';
const CONTAINER_COMMANDS = ['create', 'start', 'run', 'delete', 'kill', 'state', 'ps', 'exec', 'pause', 'resume', 'update', 'events', 'checkpoint', 'restore'];
let context = '';

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

// runc's help layout (urfave/cli), which engines and scripts read:
//   NAME:\n   runc exec - ...\n\nUSAGE:\n   ...\n\nOPTIONS:\n   --flag  ...
function runcStyleHelp(cmd: Command, helper: Help): string {
  const top = !cmd.parent;
  const name = top ? NAME : `${NAME} ${cmd.name()}`;
  const indent = (rows: [string, string][]) => {
    const width = Math.max(0, ...rows.map(([a]) => a.length));
    return rows.map(([a, b]) => `   ${a.padEnd(width)}  ${b}`.trimEnd());
  };
  const out = ['NAME:', `   ${name} - ${cmd.description()}`, '', 'USAGE:', `   ${helper.commandUsage(cmd)}`, ''];
  if (top) out.push('VERSION:', `   ${VERSION}`, '');
  const commands = helper.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  if (commands.length) out.push('COMMANDS:', ...indent(commands.map((c) => [c.name(), helper.subcommandDescription(c)])), '');
  const options = helper.visibleOptions(cmd);
  if (options.length) out.push(top ? 'GLOBAL OPTIONS:' : 'OPTIONS:', ...indent(options.map((o) => [helper.optionTerm(o), helper.optionDescription(o)])), '');
  return out.join('\n');
}

function versionText(): string {
  return [`${NAME} version ${VERSION}`, `commit: ${process.env.SKIFF_COMMIT ?? 'unknown'}`, `spec: ${OCI_SPEC_VERSION}`, `node: ${process.version}`].join('\n');
}

function globals(program: Command): Globals {
  const o = program.opts();
  return { root: o.root, log: o.log, logFormat: o.logFormat, debug: !!o.debug, systemdCgroup: !!o.systemdCgroup };
}

function createFlags(cmd: Command): Command {
  return stepFlags(traceFlags(cmd))
    .option('-b, --bundle <path>', 'path to the OCI bundle', '.')
    .option('--pid-file <path>', 'write the init process id to this file')
    .option('--console-socket <path>', 'unix socket that receives the pty master (process.terminal)')
    .option('--no-pivot', 'do not use pivot_root (for a ramdisk root)')
    .option('--preserve-fds <n>', 'pass n extra fds (3..3+n-1) to the container', nonNegativeInt, 0)
    .option('--no-new-keyring', 'accepted for runc compatibility (no session keyring is created)');
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = newProgram(NAME)
    .description('Open Container Initiative runtime')
    .configureHelp({ formatHelp: runcStyleHelp })
    .version(versionText(), '-v, --version', 'print the version')
    .option('--root <dir>', 'directory for container state', '/run/skiff-runtime')
    .option('--log <file>', 'append log entries to this file')
    .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']).default('text'))
    .option('--debug', 'log the setup plan and protocol messages')
    .option('--systemd-cgroup', 'manage cgroups through systemd (not supported)')
    .showHelpAfterError(false)
    // Global flags come before the command (runc's rule), and everything
    // after a container command's first argument is its own (exec sh -c ...).
    .enablePositionalOptions();

  program.hook('preAction', (_program, action) => {
    // Errors read "<command> <id>: ..." for commands about one container.
    if (CONTAINER_COMMANDS.includes(action.name()) && action.args[0]) context = `${action.name()} ${action.args[0]}: `;
    if (program.opts().systemdCgroup)
      // No systemd on the hosts skiff is tested on, so no driver that could
      // be tested for real; engines have a cgroupfs setting for this.
      throw new SkiffError('--systemd-cgroup is not supported: skiff-runtime writes cgroupfs itself and has no systemd driver; configure the engine for cgroupfs (dockerd native.cgroupdriver=cgroupfs, containerd SystemdCgroup = false, podman --cgroup-manager cgroupfs, kubelet cgroupDriver: cgroupfs)');
  });

  program.command('spec').description('write a default config.json')
    .option('-b, --bundle <path>', 'bundle directory for config.json')
    .option('--rootless', 'accepted; the rootless layout is not generated yet')
    .action((o) => specCommand(o));

  createFlags(program.command('create <id>').description('create a container'))
    .action((id, o) => createCommand(globals(program), id, o));

  program.command('start <id>').description('run the user process of a created container')
    .action((id) => startCommand(globals(program), id));

  program.command('state <id>').description('print the OCI state of a container')
    .action((id) => stateCommand(globals(program), id));

  program.command('kill <id> [signal]').description('send a signal (default SIGTERM) to the container')
    .option('-a, --all', 'send to every process of the container')
    .action((id, signal, o) => killCommand(globals(program), id, signal, o));

  program.command('delete <id>').description('delete a container')
    .option('-f, --force', 'kill the container if it is running')
    .action((id, o) => deleteCommand(globals(program), id, o));

  createFlags(program.command('run <id>').description('create and start a container, wait for it'))
    .option('-d, --detach', 'do not wait for the container')
    .option('--keep', 'do not delete the container after it exits')
    .action(async (id, o) => setExit(await runCommand(globals(program), id, o)));

  const collect = (v: string, acc: string[]) => [...acc, v];
  program.command('exec <id> [command...]').description('run a process in a running container')
    .option('-p, --process <path>', 'process.json to run (instead of the command line)')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--console-socket <path>', 'unix socket that receives the pty master')
    .option('-e, --env <KEY=value>', 'add an environment variable', collect, [])
    .option('--cwd <dir>', 'working directory in the container')
    .option('-u, --user <uid[:gid]>', 'user to run as')
    .option('-g, --additional-gids <gid>', 'additional group', collect, [])
    .option('-c, --cap <CAP_NAME>', 'add a capability', collect, [])
    .option('-d, --detach', 'do not wait for the process')
    .option('--pid-file <path>', 'write the process id to this file')
    .option('--preserve-fds <n>', 'pass n extra fds (3..3+n-1)', nonNegativeInt, 0)
    .option('--no-new-privs', 'set no_new_privs')
    .option('--cgroup <[controller[,controller...]:]path>', 'run in this sub-cgroup of the container (repeatable)', collect, [])
    .option('--ignore-paused', 'allow exec in a paused container')
    .passThroughOptions()
    .action(async (id, command, o) => setExit(await execCommand(globals(program), id, command, o)));

  program.command('pause <id>').description('freeze every process of a container')
    .action((id) => pauseCommand(globals(program), id));
  program.command('resume <id>').description('thaw a paused container')
    .action((id) => resumeCommand(globals(program), id));

  program.command('update <id>').description('update the resources of a running container')
    .option('-r, --resources <path>', 'linux.resources JSON ("-" reads stdin)')
    .option('--memory <bytes>', 'memory limit (k, m, g suffixes; -1 unlimited)')
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--memory-swap <bytes>', 'memory plus swap limit')
    .option('--cpu-share <n>', 'relative CPU weight')
    .addOption(new Option('--cpu-shares <n>').hideHelp())
    .option('--cpu-quota <us>', 'CFS quota in microseconds (-1 unlimited)')
    .option('--cpu-period <us>', 'CFS period in microseconds')
    .option('--cpu-rt-period <us>', 'realtime period in microseconds')
    .option('--cpu-rt-runtime <us>', 'realtime runtime in microseconds per period')
    .option('--cpuset-cpus <list>', 'CPUs allowed, e.g. 0-1')
    .option('--cpuset-mems <list>', 'memory nodes allowed')
    .option('--pids-limit <n>', 'maximum number of processes')
    .option('--blkio-weight <n>', 'block I/O weight, 10 to 1000')
    .addOption(new Option('--kernel-memory <bytes>', '(obsolete; ignored with a warning)').hideHelp())
    .addOption(new Option('--kernel-memory-tcp <bytes>', '(obsolete; ignored with a warning)').hideHelp())
    .option('--l3-cache-schema <schema>', 'Intel RDT/CAT L3 cache schema (not supported)')
    .option('--mem-bw-schema <schema>', 'Intel RDT/MBA memory bandwidth schema (not supported)')
    // --cpu-shares: the name skiff-runtime used before; runc's is --cpu-share.
    .action((id, o) => updateCommand(globals(program), id, { ...o, cpuShare: o.cpuShare ?? o.cpuShares }));

  program.command('events <id>').description('stream container events (stats, oom) as JSON lines')
    .option('--stats', 'print one stats record and exit')
    .option('--interval <duration>', 'time between stats records', '5s')
    .action((id, o) => eventsCommand(globals(program), id, o));

  // runc's checkpoint/restore flags, accepted so the answer is a sentence
  // about criu, not a usage error (commands/checkpoint.ts).
  const criuFlags = (cmd: Command) => cmd
    .option('--image-path <dir>', 'path for saving criu image files')
    .option('--work-path <dir>', 'path for saving work files and logs')
    .option('--tcp-established', 'allow open tcp connections')
    .option('--ext-unix-sk', 'allow external unix sockets')
    .option('--shell-job', 'allow shell jobs')
    .option('--file-locks', 'handle file locks')
    .option('--manage-cgroups-mode <mode>', 'cgroups mode: soft, full, strict, ignore')
    .option('--empty-ns <ns>', 'create a namespace, but do not restore its properties')
    .option('--lazy-pages', 'use userfaultfd to lazily restore memory pages')
    .option('--auto-dedup', 'enable auto deduplication of memory images');
  criuFlags(program.command('checkpoint <id>').description('checkpoint a running container (needs criu)'))
    .option('--leave-running', 'leave the process running after checkpointing')
    .option('--parent-path <dir>', 'path for previous criu image files in pre-dump')
    .option('--pre-dump', 'dump the container\'s memory only, leave it running')
    .option('--page-server <addr>', 'address of the page server')
    .option('--status-fd <fd>', 'criu writes \\0 to this fd once lazy-pages is ready')
    .action((id, o) => checkpointCommand(globals(program), id, o));
  criuFlags(program.command('restore <id>').description('restore a container from a previous checkpoint (needs criu)'))
    .option('-b, --bundle <path>', 'path to the OCI bundle', '.')
    .option('--console-socket <path>', 'unix socket that receives the pty master')
    .option('-d, --detach', 'detach from the container\'s process')
    .option('--pid-file <path>', 'write the init process id to this file')
    .option('--no-subreaper', 'disable the use of the subreaper')
    .option('--no-pivot', 'do not use pivot_root')
    .option('--lsm-profile <profile>', 'LSM profile to set')
    .action((id) => restoreCommand(globals(program), id));

  program.command('features').description('print the features this runtime supports')
    .action(() => featuresCommand());

  program.command('list').description('list containers')
    .option('-q, --quiet', 'print only ids')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((o) => listCommand(globals(program), o));

  // Everything after the id goes to ps(1): `ps <id> -e -x` (runc's rule).
  program.command('ps <id> [ps-args...]').description('list the processes of a container')
    .option('-f, --format <format>', 'table or json', 'table')
    .allowUnknownOption()
    .passThroughOptions()
    .action((id, args, o) => psCommand(globals(program), id, args, o));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  trace('main');
  // The launcher passes on the name it was called by (SKIFF_INVOKED_AS); a
  // warm worker runs many commands, so the name is set for each.
  NAME = (process.env.SKIFF_INVOKED_AS ?? basename(argv[1] ?? '')) === 'runc' ? 'runc' : 'skiff-runtime';
  let exitCode = 0;
  const program = buildProgram((code) => { exitCode = code; });
  argv = splitTraceFlag(argv);
  // "runc foo -h": urfave/cli's answer for a command it does not know.
  const args = argv.slice(2);
  const first = args.find((a, i) => !a.startsWith('-') && !['--root', '--log', '--log-format'].includes(args[i - 1]));
  if (first && args.some((a) => a === '-h' || a === '--help') && !program.commands.some((c) => c.name() === first)) {
    process.stderr.write(`No help topic for '${first}'\n`);
    return 3;
  }
  // One sentence: "skiff-runtime: create c1: mount proc on ...: EPERM".
  return runCli({
    // runc exec exits 255 when the runtime fails (its own status otherwise),
    // so a caller can tell the two apart; other commands exit 1.
    name: NAME, program, argv, exitCode: () => exitCode, usageExit: 2, errorExit: () => (context.startsWith('exec ') ? 255 : 1),
    context: () => context,
    onError: (message) => { try { logLine(globals(program), 'error', message); } catch { /* no log */ } },
  });
}
