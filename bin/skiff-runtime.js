#!/usr/bin/env node
// Entry point: the CLI bundled by `make build` into one CommonJS file, which
// starts ~20 ms sooner than the ES module graph (bench/RESULTS.md), with a
// V8 code cache (bin/launch.js). bin/package.json makes these files CommonJS.
'use strict';
require('./launch.js')('skiff-runtime');
