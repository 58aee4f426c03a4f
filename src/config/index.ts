export { loadConfig, parseConfig, type LoadedConfig } from './load.js';
export { loadConfigSchema } from './validate.js';
export type * from './types.js';
export { parseSpecSource, specFiles, specLocation, type SpecSource } from './spec-source.js';
