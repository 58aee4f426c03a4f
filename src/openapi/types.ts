/** Loose views of OpenAPI 3.x objects: real specs break every rule, so every field is optional. */
export type JsonObject = Record<string, unknown>;

export interface OpenApiDoc extends JsonObject {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  servers?: ServerObject[];
  paths?: Record<string, unknown>;
  components?: JsonObject;
}

export interface ServerObject {
  url?: string;
  variables?: Record<string, { default?: string; enum?: string[] }>;
}

export interface ParameterObject extends JsonObject {
  name?: string;
  in?: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  deprecated?: boolean;
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
  schema?: unknown;
  content?: Record<string, { schema?: unknown }>;
}

export interface MediaTypeObject extends JsonObject {
  schema?: unknown;
  encoding?: Record<string, { contentType?: string; style?: string; explode?: boolean }>;
}

export interface RequestBodyObject extends JsonObject {
  description?: string;
  required?: boolean;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject extends JsonObject {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  servers?: ServerObject[];
  security?: Record<string, string[]>[];
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
