export { buildSnapshot, type BuildDeps, type RuntimeTool, type ServerRuntime, type Snapshot } from './snapshot.js';
export { SnapshotHolder } from './holder.js';
export type { FieldError } from './validators.js';
