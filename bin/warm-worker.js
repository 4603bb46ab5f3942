#!/usr/bin/env node
// A warm worker of `skiff serve` (src/service/worker.ts): both CLIs loaded
// and compiled ahead of time, serving commands from launchers one at a time.
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
    // A failed send means the service is gone (it stopped while this worker
    // started): nothing is left to serve. Without the callback Node would
    // raise the EPIPE as an uncaught 'error' event.
    send: (m, done) => process.send(m, (err) => (err ? process.exit(0) : done && done())),
    on: (event, fn) => process.on(event, fn),
    disconnect: () => process.disconnect(),
  },
  // What each command takes of process.* and gives back (src/service/scope.ts).
  scope: () => skiff.exports.warmCommandScope(process),
  exit: (code) => process.exit(code),
  kill: (signal) => process.kill(process.pid, signal),
});
