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
import { saveCommand } from './commands/save.js';
import { importCommand } from './commands/import.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { createCommand } from './commands/container/create.js';
import { psCommand } from './commands/container/ps.js';
import { rmCommand } from './commands/container/rm.js';
import { containerPruneCommand, inspectCommand, renameCommand } from './commands/container/manage.js';
import { infoCommand } from './commands/info.js';
import { completionCommand } from './commands/completion.js';

const VERSION = '0.1.0';
const collect = (v: string, acc: string[]) => [...acc, v];

function globals(program: Command): EngineGlobals {
  const o = program.opts();
  return { root: o.root, debug: !!o.debug };
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
    .action((repo, o) => imagesCommand(globals(program), repo, { ...o, noTrunc: o.trunc === false })));

  define([[program, 'tag'], [image, 'tag']], (c) => c.description('create a tag TARGET that refers to SOURCE')
    .argument('<source>').argument('<target>').action((s, t) => tagCommand(globals(program), s, t)));

  define([[program, 'rmi'], [image, 'rm']], (c) => c.description('remove images').argument('<images...>')
    .option('-f, --force', 'force removal').action((imgs, o) => setExit(rmiCommand(globals(program), imgs, o))));

  define([[program, 'load'], [image, 'load']], (c) => c.description('load images from a tar archive (docker-archive or OCI layout)')
    .option('-i, --input <file>', 'read from a file instead of stdin').option('-q, --quiet', 'suppress output')
    .action((o) => loadCommand(globals(program), o)));

  define([[program, 'history'], [image, 'history']], (c) => c.description('show the history of an image').argument('<image>')
    .option('--no-trunc', 'do not truncate output').option('-q, --quiet', 'only image IDs')
    .action((img, o) => historyCommand(globals(program), img, { ...o, noTrunc: o.trunc === false })));

  image.command('inspect').description('display detailed information on images').argument('<images...>')
    .option('-f, --format <template>', "Go template, e.g. '{{.Id}}'")
    .action((imgs, o) => setExit(o.format ? inspectCommand(globals(program), imgs, { type: 'image', format: o.format }) : imageInspectCommand(globals(program), imgs)));

  image.command('prune').description('remove unused images').option('-a, --all', 'all images without a container')
    .option('-f, --force', 'do not prompt').action((o) => imagePruneCommand(globals(program), o));

  define([[program, 'pull'], [image, 'pull']], (c) => c.description('download an image from a registry').argument('<name>')
    .option('--platform <os/arch[/variant]>', 'platform to pull from a multi-platform image')
    .option('-q, --quiet', 'print only the image name')
    .action((name, o) => pullCommand(globals(program), name, o)));

  define([[program, 'save'], [image, 'save']], (c) => c.description('save images to a tar archive (docker-archive)').argument('<images...>')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((imgs, o) => saveCommand(globals(program), imgs, o)));

  define([[program, 'import'], [image, 'import']], (c) => c.description('create an image from a root filesystem tarball')
    .argument('<file>', 'tarball, or - for stdin').argument('[reference]')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR)', collect, [])
    .option('-m, --message <message>', 'commit message')
    .action((file, ref, o) => importCommand(globals(program), file, ref, o)));

  const container = program.command('container').description('manage containers');

  define([[program, 'create'], [container, 'create']], (c) => c.description('create a container').argument('<image>').argument('[command...]')
    .option('--name <name>', 'container name').option('-e, --env <KEY=value>', 'environment variable', collect, [])
    .option('-w, --workdir <dir>', 'working directory').option('-h, --hostname <name>', 'hostname')
    .option('-u, --user <user>', 'user[:group]').option('--entrypoint <cmd>', 'override the image entrypoint')
    .option('-l, --label <k=v>', 'label', collect, []).option('-t, --tty', 'allocate a pseudo-TTY').option('-i, --interactive', 'keep stdin open')
    .passThroughOptions()
    .action((img, cmd, o) => createCommand(globals(program), img, cmd, o)));

  define([[program, 'ps'], [container, 'ls']], (c) => c.description('list containers')
    .option('-a, --all', 'show all containers').option('-q, --quiet', 'only IDs').option('--no-trunc', 'do not truncate')
    .option('-n, --last <n>', 'the n last created').option('-l, --latest', 'the last created')
    .option('-f, --filter <k=v>', 'filter (status, name, id, label, ancestor)', collect, [])
    .option('--format <template>', "Go template: '{{.ID}} {{.Names}}', 'table {{.ID}}\\t{{.Status}}', '{{json .}}'")
    .action((o) => psCommand(globals(program), { ...o, noTrunc: o.trunc === false })));

  define([[program, 'rm'], [container, 'rm']], (c) => c.description('remove containers').argument('<containers...>')
    .option('-f, --force', 'force removal').option('-v, --volumes', 'remove anonymous volumes')
    .action((names, o) => setExit(rmCommand(globals(program), names, o))));

  define([[program, 'rename'], [container, 'rename']], (c) => c.description('rename a container').argument('<container>').argument('<new-name>')
    .action((ctr, name) => renameCommand(globals(program), ctr, name)));

  container.command('prune').description('remove all stopped containers').option('-f, --force', 'do not prompt')
    .action((o) => containerPruneCommand(globals(program), o));

  define([[program, 'inspect'], [container, 'inspect']], (c) => c.description('low-level information on containers and images').argument('<names...>')
    .option('--type <type>', 'container or image').option('-f, --format <template>', "Go template, e.g. '{{.Id}}' or '{{json .Config}}'")
    .action((names, o) => setExit(inspectCommand(globals(program), names, o))));

  program.command('login').description('log in to a registry').argument('[server]')
    .option('-u, --username <user>').option('-p, --password <password>').option('--password-stdin', 'read the password from stdin')
    .action((server, o) => loginCommand(globals(program), server, o));
  program.command('logout').description('log out from a registry').argument('[server]')
    .action((server) => logoutCommand(server));

  program.command('info').description('display system-wide information').action(() => infoCommand(globals(program), VERSION));
  program.command('completion').description('print a shell completion script').argument('<shell>', 'bash')
    .action((shell) => completionCommand(program, shell));

  program.command('version').description('show the version').action(() => { process.stdout.write(`skiff version ${VERSION}\n`); });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => { exitCode = code; });
  // docker: 125 when the engine itself fails (docker run(1) "Exit Status").
  return runCli({ name: 'skiff', program, argv, exitCode: () => exitCode, usageExit: 125, errorExit: 125 });
}
