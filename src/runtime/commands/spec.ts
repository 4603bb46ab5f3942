// skiff-runtime spec: write a default config.json (as `runc spec` does).
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SkiffError } from '../../errors.js';
import { defaultSpec } from '../defaultSpec.js';

export function specCommand(opts: { bundle?: string }): void {
  const path = join(resolve(opts.bundle ?? '.'), 'config.json');
  if (existsSync(path)) throw new SkiffError(`file ${path} exists: remove it first`);
  writeFileSync(path, JSON.stringify(defaultSpec(), null, '\t') + '\n');
}
