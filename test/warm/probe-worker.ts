// A warm worker (src/service/worker.ts) whose "skiff-runtime" is a probe:
// commands that change the process (cwd, environment, exit code, umask,
// an fd, a signal handler, a timer) and one that shows it. Run by
// test/unit/warm-worker.test.ts through the real launcher, which takes it
// for the real service: WELCOME carries the real bundle's key.
import { openSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';
import { commandScope } from '../../src/service/scope.js';
import { runWorker } from '../../src/service/worker.js';

const require = createRequire(import.meta.url);
const fs = require('node:fs') as typeof import('node:fs');
const st = fs.statSync(join(projectRoot, 'dist/bundle/skiff-runtime.cjs'), { bigint: true });

const probe = {
  async main(argv: string[]): Promise<number> {
    switch (argv.at(-1)) {
      case 'dirty':
        process.chdir('/');
        process.env.PROBE_LEAK = '1';
        process.exitCode = 7;
        process.umask(0o077);
        break;
      case 'fd':
        openSync('/dev/null', 'r');
        break;
      case 'signal':
        process.on('SIGUSR2', () => undefined);
        break;
      case 'timer':
        setInterval(() => undefined, 60_000);
        break;
      case 'show':
        process.stdout.write(JSON.stringify({
          cwd: process.cwd(), leak: process.env.PROBE_LEAK ?? null, exitCode: process.exitCode ?? null,
          umask: process.umask(), fds: readdirSync('/proc/self/fd').length, usr2: process.listenerCount('SIGUSR2'),
        }));
        break;
    }
    process.stdout.write(`\npid ${process.pid}\n`);
    return 0;
  },
};

runWorker({
  programs: { 'skiff-runtime': probe },
  keys: { 'skiff-runtime': `${st.ino}-${st.size}-${st.mtimeNs}` },
  ipc: {
    send: (m, done) => process.send!(m, undefined, undefined, done),
    on: (event, fn) => process.on(event, fn),
    disconnect: () => process.disconnect(),
  },
  scope: () => commandScope(process),
  exit: (code) => process.exit(code),
  kill: (signal) => process.kill(process.pid, signal),
});
