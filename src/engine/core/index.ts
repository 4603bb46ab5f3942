// What `import ... from 'skiff'` gives a program that embeds the engine
// (package.json "exports"; docs/embedding.md).
export { Engine, DEFAULT_ROOT, type EngineOptions } from './engine.js';
export type { Sinks } from './context.js';
export type { EventMessage, EventQuery } from '../events.js';
export type * from '../api-types.js';
export type { LogEntry, LogsOptions } from './containers/logs.js';
export type { AttachStreams, AttachResult } from '../attach.js';
export type { ContainerRecord } from '../containers.js';
export { SkiffError, kindOf, HTTP_STATUS, type ErrorKind } from '../../errors.js';
