/** ajv options for the config schema, shared by the run-time compile and the build-time one. */
export const CONFIG_AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;
