// The entry of a V8 startup snapshot of a bundled CLI (`node
// --build-snapshot`, node(1)), measured by bench/snapshot.mjs against the
// code cache bin/launch.js uses. The bundle is run (defining everything,
// starting nothing) while the snapshot is built; the snapshot's main then
// calls the CLI's main() with the argv a script entry would have.
// SKIFF_SNAPSHOT_BUNDLE: the bundle (dist/bundle/<cli>.cjs).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const v8 = require('node:v8');

const bundle = process.env.SKIFF_SNAPSHOT_BUNDLE;
const wrapper = vm.runInThisContext(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle });
const mod = { exports: {} };
// Only Node's built-in modules can be required while a snapshot is built;
// the addon is loaded by the CLI when first used (src/native.ts), at run time.
wrapper.call(mod.exports, mod.exports, require, mod, bundle, path.dirname(bundle));
v8.startupSnapshot.setDeserializeMainFunction(() => {
  mod.exports.main([process.execPath, bundle, ...process.argv.slice(1)]).then((code) => process.exit(code));
});
