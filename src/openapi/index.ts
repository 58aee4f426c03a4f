export { loadSpec, type LoadedSpec } from './load.js';
export { buildToolSet, type ToolSet } from './tools.js';
export { readSpecCors, readSpecOAuth, type SpecOAuth } from './security.js';
export type { ToolDef, ToolDefinition } from './tool.js';
export type * from './binding.js';
