#!/usr/bin/env node
// Entry point of the skiff engine CLI, bundled by `make build` (bin/launch.js).
'use strict';
require('./launch.js')('skiff');
