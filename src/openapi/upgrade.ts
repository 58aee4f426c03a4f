import { createRequire } from 'node:module';
import { AppError } from '../errors.js';
import type { OpenApiDoc } from './types.js';

const require = createRequire(import.meta.url);

interface Swagger2OpenApi {
  convertObj(doc: unknown, options: Record<string, unknown>): Promise<{ openapi: OpenApiDoc }>;
}

/** Swagger 2.0 → OpenAPI 3.0 with swagger2openapi (body/formData/consumes/global params kept). */
export async function upgradeSwagger2(doc: OpenApiDoc, source: string): Promise<OpenApiDoc> {
  const s2o = require('swagger2openapi') as Swagger2OpenApi;
  try {
    // `text` is only used for error messages; without it the converter re-serialises the whole spec.
    const out = await s2o.convertObj(doc, { patch: true, warnOnly: true, resolve: false, text: '{}', source });
    return out.openapi;
  } catch (err) {
    throw new AppError('SPEC_INVALID', `${source}: cannot upgrade Swagger 2.0: ${(err as Error).message}`, { cause: err });
  }
}
