// A program that embeds the skiff engine (docs/embedding.md): it creates a
// busybox container whose command prints a line, starts it, streams its
// output to our stdout, waits for it and removes it. Run as root after
// `make demo` (which loads the busybox image): node examples/embed.mjs
// Like the skiff CLI it uses /var/lib/skiff, or SKIFF_ROOT when set.
import { Engine } from 'skiff';

const engine = new Engine({
  root: process.env.SKIFF_ROOT ?? '/var/lib/skiff',
  sinks: { warning: (line) => console.error(`skiff: ${line}`) },
});

// The Docker Engine API's create request (POST /containers/create).
const { Id } = await engine.containerCreate({
  Image: 'busybox',
  Cmd: ['echo', 'hello from skiff'],
  HostConfig: { NetworkMode: 'none' },
});
try {
  await engine.containerStart(Id);
  // The log has everything since the start: following it misses nothing.
  const logs = await engine.containerLogs(Id, { follow: true });
  for await (const entry of logs) (entry.stream === 'stderr' ? process.stderr : process.stdout).write(entry.line);
  const { StatusCode } = await engine.containerWait(Id);
  process.exitCode = StatusCode;
} finally {
  await engine.containerRemove(Id, { force: true });
}
