import { createRequire } from 'node:module';
import { AppError } from '../errors.js';
import { HTTP_METHODS, isObject, type OpenApiDoc } from './types.js';

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
    markFormBodiesRequired(out.openapi);
    return out.openapi;
  } catch (err) {
    throw new AppError('SPEC_INVALID', `${source}: cannot upgrade Swagger 2.0: ${(err as Error).message}`, { cause: err });
  }
}

const FORM_MEDIA = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * swagger2openapi marks a body built from `in: formData` parameters required only when the first
 * of them is; in Swagger 2.0 the body is required as soon as any of its fields is.
 */
function markFormBodiesRequired(doc: OpenApiDoc): void {
  const bodies: unknown[] = isObject(doc.components?.requestBodies) ? Object.values(doc.components.requestBodies) : [];
  for (const item of Object.values(doc.paths ?? {})) {
    if (isObject(item)) for (const m of HTTP_METHODS) if (isObject(item[m])) bodies.push(item[m].requestBody);
  }
  for (const body of bodies) {
    if (!isObject(body) || body.required === true || !isObject(body.content)) continue;
    const hasRequiredField = Object.entries(body.content).some(
      ([mt, media]) => FORM_MEDIA.test(mt) && isObject(media) && isObject(media.schema) && Array.isArray(media.schema.required) && media.schema.required.length > 0,
    );
    if (hasRequiredField) body.required = true;
  }
}
