export { loadSpec, type LoadedSpec } from './load.js';
export { buildToolSet, type SpecOAuth, type ToolSet } from './tools.js';
export type { ToolDef, ToolDefinition } from './tool.js';
export type * from './binding.js';
