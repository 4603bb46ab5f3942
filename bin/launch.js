// Starts a bundled CLI (dist/bundle/<name>.cjs, built by `make build`) with a
// V8 code cache beside it, so that V8 does not parse and compile the bundle
// on every command: about 10 ms of each short command's start-up.
// Node 20 has no module.enableCompileCache (22.1+); vm.Script's cachedData
// is the same mechanism (node(1) "vm.Script", v8 code caching).
// The cache is written only on request (SKIFF_WRITE_CODE_CACHE=1, by `make
// fixtures` after a real `run`), so that it holds the functions a container
// start compiles. V8 rejects a cache made by another Node, but it checks
// the source only by its length: a rebuilt bundle of the same length would
// run stale code. So the cache's name carries the bundle's inode, size and
// mtime, and a rebuilt bundle never finds an old cache.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/** The bundle's identity: its inode, size and mtime (also the warm launcher's build key). */
function bundleKey(bundle) {
  const st = fs.statSync(bundle, { bigint: true });
  return `${st.ino}-${st.size}-${st.mtimeNs}`;
}

/** Compiles and runs a bundle with its code cache; returns its exports and a cache writer. */
function load(name, bundleDir = path.join(__dirname, '..', 'dist', 'bundle')) {
  const bundle = path.join(bundleDir, `${name}.cjs`);
  const key = bundleKey(bundle);
  const cacheFile = `${bundle}.${key}.v8cache`;
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { /* none yet */ }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  const writeCache = () => {
    const temp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  };
  return { exports: mod.exports, key, writeCache };
}

function launch(name, bundleDir) {
  // Read once and not passed on: a process this command spawns (the
  // monitor's exit command, a DNS server) must not write its own cache.
  const writeCache = process.env.SKIFF_WRITE_CODE_CACHE === '1';
  delete process.env.SKIFF_WRITE_CODE_CACHE;
  const loaded = load(name, bundleDir);
  loaded.exports.main(process.argv).then((code) => {
    if (writeCache && code === 0) loaded.writeCache();
    process.exit(code);
  });
}

module.exports = launch;
module.exports.load = load;
