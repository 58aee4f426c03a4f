// Build step: compiles schemas/config.schema.json into a standalone validator module, so the sidecar
// does not spend ~100 ms compiling the schema at every start. src/config/validate.ts falls back to
// compiling at run time when this file is absent (tests, tsx).
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { CONFIG_AJV_OPTIONS } from '../dist/config/ajv-options.js';

const schema = JSON.parse(readFileSync(new URL('../schemas/config.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ ...CONFIG_AJV_OPTIONS, code: { source: true } });
const validate = ajv.compile(schema);
writeFileSync(new URL('../dist/config/config-validator.cjs', import.meta.url), standaloneCode.default ? standaloneCode.default(ajv, validate) : standaloneCode(ajv, validate));
