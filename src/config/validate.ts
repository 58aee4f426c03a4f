import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { LineCounter } from 'yaml';
import { isMap, isPair, isScalar, type Document, type Node } from '../util/yaml.js';
import type { Problem } from '../errors.js';
import { closest } from '../util/suggest.js';
import { CONFIG_AJV_OPTIONS } from './ajv-options.js';

const SCHEMA_URL = new URL('../../schemas/config.schema.json', import.meta.url);
// `npm run build` writes this standalone validator next to the compiled module; from sources it is absent.
const PRECOMPILED = new URL('./config-validator.cjs', import.meta.url);
let compiled: ValidateFunction | undefined = existsSync(PRECOMPILED)
  ? ((await import(PRECOMPILED.href)) as { default: ValidateFunction }).default
  : undefined;

export function loadConfigSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/** Compiled once per process: the schema file is the single source of truth for the shape. */
function validator(): ValidateFunction {
  // Only when running from sources: the built sidecar never loads ajv for its config.
  compiled ??= new (createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020(CONFIG_AJV_OPTIONS).compile(loadConfigSchema());
  return compiled;
}

/** Validates a parsed config and maps each error to file, line, column and key path. */
export function checkConfigShape(
  data: unknown,
  ctx: { file: string; doc?: Document; lines?: LineCounter },
): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  return dedupe(validate.errors ?? []).map((err) => toProblem(err, ctx));
}

/** anyOf branches each report their own error; keep only the anyOf one (it has the description). */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath.replace(/\/anyOf$/, '/anyOf/'));
  return errors.filter(
    (e) => e.keyword === 'anyOf' || !anyOfPaths.some((prefix) => e.schemaPath.startsWith(prefix)),
  );
}

function toProblem(err: ErrorObject, ctx: { file: string; doc?: Document; lines?: LineCounter }): Problem {
  const segments = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let keyOf: string | undefined;
  let message: string;
  switch (err.keyword) {
    case 'additionalProperties': {
      keyOf = String(err.params.additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = closest(keyOf, known, 2);
      message = `unknown key "${keyOf}"${near ? ` (did you mean "${near}"?)` : known.length ? ` (allowed: ${known.join(', ')})` : ''}`;
      break;
    }
    case 'required':
      message = `missing required key "${String(err.params.missingProperty)}"`;
      break;
    case 'enum':
      message = `must be one of: ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'anyOf':
      message = `invalid value: ${String((err.parentSchema as { description?: string } | undefined)?.description ?? err.message)}`;
      break;
    case 'pattern':
      message = `${JSON.stringify(err.data)} does not match ${String(err.params.pattern)}`;
      break;
    default:
      message = err.message ?? 'is invalid';
  }
  const pathSegments = keyOf === undefined ? segments : [...segments, keyOf];
  const pos = locate(ctx, segments, keyOf);
  return { file: ctx.file, ...pos, path: formatKeyPath(pathSegments), message };
}

export function formatKeyPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(top level)';
}

/** Line and column of the node at `segments`, or of the key `keyOf` inside it. */
export function locate(
  ctx: { doc?: Document; lines?: LineCounter },
  segments: readonly (string | number)[],
  keyOf?: string,
): { line?: number; column?: number } {
  if (!ctx.doc || !ctx.lines) return {};
  let node = (segments.length === 0 ? ctx.doc.contents : ctx.doc.getIn(segments, true)) as Node | null | undefined;
  if (keyOf !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === keyOf);
    if (pair && isScalar(pair.key)) node = pair.key;
  }
  // Fall back to the nearest ancestor that exists.
  for (let n = segments.length - 1; !node?.range && n >= 0; n--) {
    node = ctx.doc.getIn(segments.slice(0, n), true) as Node | null | undefined;
  }
  if (!node?.range) return {};
  const { line, col } = ctx.lines.linePos(node.range[0]);
  return { line, column: col };
}

