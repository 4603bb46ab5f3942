#!/usr/bin/env node
// A warm worker of `skiff serve` (src/service/worker.ts): both CLIs loaded
// and compiled ahead of time, waiting for one command from a launcher.
// This file is the worker's only contact with process.*: the rest is the
// CLIs' own code, run exactly as bin/skiff.js and bin/skiff-runtime.js run it.
'use strict';
const { load } = require('./launch.js');

const skiff = load('skiff');
const runtime = load('skiff-runtime');
skiff.exports.runWarmWorker({
  programs: { skiff: skiff.exports, 'skiff-runtime': runtime.exports },
  keys: { skiff: skiff.key, 'skiff-runtime': runtime.key },
  ipc: {
    send: (m) => process.send(m),
    on: (event, fn) => process.on(event, fn),
    disconnect: () => process.disconnect(),
  },
  become: ({ cwd, env, argv }) => {
    process.chdir(cwd);
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, env);
    process.argv = [process.execPath, ...argv];
    return process.argv;
  },
  exit: (code) => process.exit(code),
  kill: (signal) => process.kill(process.pid, signal),
});
