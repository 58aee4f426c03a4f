import { AppError } from '../errors.js';
import type { ParamBinding } from '../openapi/binding.js';

/** Characters `allowReserved` keeps as-is (the query's own `&`, `=`, `#`, `+` are still encoded). */
const RESERVED_KEPT = /%(3A|2F|3F|5B|5D|40|21|24|27|28|29|2A|2C|3B)/gi;

function encodeValue(value: string, allowReserved: boolean): string {
  const enc = encodeURIComponent(value);
  return allowReserved ? enc.replace(RESERVED_KEPT, (m) => decodeURIComponent(m)) : enc;
}

function scalar(v: unknown): string {
  if (v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses text that cannot be percent-encoded (a lone UTF-16 surrogate) as an argument error, not a crash. */
export function checkWellFormed(field: string, value: unknown): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new AppError('TOOL_ARGS_INVALID', `argument "${field}" is not well-formed Unicode (it has a lone surrogate)`, {
        details: { errors: [{ field, message: 'must be well-formed Unicode text' }] },
      });
    }
  } else if (Array.isArray(value)) {
    for (const v of value) checkWellFormed(field, v);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkWellFormed(field, k);
      checkWellFormed(field, v);
    }
  }
}

/** `name=value` pairs (already percent-encoded) for one query parameter, per its style and explode. */
export function serializeQueryParam(p: ParamBinding, value: unknown): string[] {
  checkWellFormed(p.arg, value);
  const enc = (s: string) => encodeValue(s, p.allowReserved);
  const key = encodeURIComponent(p.name);
  if (p.contentType) return [`${key}=${enc(JSON.stringify(value))}`];
  if (Array.isArray(value)) {
    const items = value.map(scalar);
    switch (p.style) {
      case 'spaceDelimited':
        return [`${key}=${items.map(enc).join('%20')}`];
      case 'pipeDelimited':
        return [`${key}=${items.map(enc).join('|')}`];
      default:
        return p.explode ? items.map((i) => `${key}=${enc(i)}`) : [`${key}=${items.map(enc).join(',')}`];
    }
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (p.style === 'spaceDelimited' || p.style === 'pipeDelimited') {
      return [`${key}=${entries.flatMap(([k, v]) => [enc(k), enc(scalar(v))]).join(p.style === 'spaceDelimited' ? '%20' : '|')}`];
    }
    if (p.style === 'deepObject') return deepObjectPairs(p.name, value).map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${enc(v)}`);
    return p.explode
      ? entries.map(([k, v]) => `${encodeURIComponent(k)}=${enc(scalar(v))}`)
      : [`${key}=${entries.map(([k, v]) => `${enc(k)},${enc(scalar(v))}`).join(',')}`];
  }
  return [`${key}=${enc(scalar(value))}`];
}

/** `filter[a][b]=1` pairs, as deepObject and Stripe-style form bodies write nested objects. */
export function deepObjectPairs(prefix: string, value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => deepObjectPairs(`${prefix}[${i}]`, v));
  if (isPlainObject(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .flatMap(([k, v]) => deepObjectPairs(`${prefix}[${k}]`, v));
  }
  return [[prefix, scalar(value)]];
}

/**
 * One path parameter, percent-encoded so that it stays inside its segment: `/`, `?`, `#` and `%`
 * are encoded, and a value that would be a `.`/`..` segment or an empty one is refused.
 */
export function serializePathParam(p: ParamBinding, value: unknown): string {
  checkWellFormed(p.arg, value);
  let out: string;
  const enc = (v: unknown) => encodeURIComponent(scalar(v));
  if (p.contentType) out = encodeURIComponent(JSON.stringify(value));
  else if (Array.isArray(value)) {
    const sep = p.explode && p.style === 'label' ? '.' : p.explode && p.style === 'matrix' ? `;${p.name}=` : ',';
    out = value.map(enc).join(sep);
  } else if (isPlainObject(value)) {
    const entries = Object.entries(value);
    out = p.explode ? entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join(p.style === 'label' ? '.' : p.style === 'matrix' ? ';' : ',') : entries.map(([k, v]) => `${enc(k)},${enc(v)}`).join(',');
  } else out = enc(value);
  // Label style prefixes a dot, so an empty value or "." would still make a `.` or `..` segment.
  const segment = p.style === 'label' ? `.${out}` : out;
  if (p.style !== 'matrix' && (segment === '' || segment === '.' || segment === '..')) {
    throw new AppError('TOOL_ARGS_INVALID', `path parameter "${p.arg}" must not be ${out === '' ? 'empty' : `"${out}"`}`, {
      details: { errors: [{ field: p.arg, message: 'must be a non-empty value other than "." or ".."' }] },
    });
  }
  if (p.style === 'matrix') return isPlainObject(value) && p.explode ? `;${out}` : `;${encodeURIComponent(p.name)}=${out}`;
  return segment;
}

/** Header value per the `simple` style; CR/LF and other control bytes are refused so a value cannot inject headers. */
export function serializeHeaderParam(p: ParamBinding, value: unknown): string {
  let out: string;
  if (p.contentType) out = JSON.stringify(value);
  else if (Array.isArray(value)) out = value.map(scalar).join(',');
  else if (isPlainObject(value)) out = Object.entries(value).map(([k, v]) => (p.explode ? `${k}=${scalar(v)}` : `${k},${scalar(v)}`)).join(',');
  else out = scalar(value);
  if (/[\0-\x08\n-\x1f\x7f]/.test(out)) {
    throw new AppError('TOOL_ARGS_INVALID', `header parameter "${p.arg}" must not contain line breaks or other control characters`, {
      details: { errors: [{ field: p.arg, message: 'must not contain CR, LF, NUL or other control characters' }] },
    });
  }
  // HTTP field values are bytes: anything past Latin-1 cannot be sent as it is.
  if (/[^\0-\xff]/.test(out)) {
    throw new AppError('TOOL_ARGS_INVALID', `header parameter "${p.arg}" must contain only Latin-1 characters`, {
      details: { errors: [{ field: p.arg, message: 'must contain only Latin-1 characters' }] },
    });
  }
  return out;
}

/** `name=value` for the Cookie header (form style). */
export function serializeCookieParam(p: ParamBinding, value: unknown): string {
  checkWellFormed(p.arg, value);
  const enc = (v: unknown) => encodeURIComponent(scalar(v));
  if (Array.isArray(value)) return p.explode ? value.map((v) => `${p.name}=${enc(v)}`).join('; ') : `${p.name}=${value.map(enc).join(',')}`;
  if (isPlainObject(value)) return p.explode ? Object.entries(value).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('; ') : `${p.name}=${Object.entries(value).map(([k, v]) => `${enc(k)},${enc(v)}`).join(',')}`;
  return `${p.name}=${enc(value)}`;
}
