import type { FormData } from 'undici';
import { undici } from '../util/undici.js';
import { AppError } from '../errors.js';
import type { BodyBinding } from '../openapi/binding.js';
import { checkWellFormed, deepObjectPairs } from './serialize.js';

export interface EncodedBody {
  body: string | Buffer | FormData;
  /** Unset for multipart: the FormData encoder writes the boundary. */
  contentType: string | undefined;
}

/** Tool arguments → request body bytes, per the operation's media type. */
export function encodeBody(b: BodyBinding, args: Record<string, unknown>): EncodedBody | undefined {
  let value: unknown;
  if (b.props) {
    const obj: Record<string, unknown> = {};
    let any = false;
    for (const { arg, prop } of b.props) {
      if (args[arg] !== undefined) {
        obj[prop] = args[arg];
        any = true;
      }
    }
    if (!any && !(b.required && b.kind === 'json')) return undefined;
    value = obj;
  } else {
    value = args[b.wholeArg!];
    if (value === undefined) return undefined;
  }
  switch (b.kind) {
    case 'json':
      return { body: JSON.stringify(value), contentType: b.mediaType };
    case 'form':
      // Percent-encoding cannot represent a lone surrogate: refuse it by the argument's name.
      for (const arg of b.props ? b.props.map((x) => x.arg) : [b.wholeArg!]) checkWellFormed(arg, args[arg]);
      return { body: encodeForm(value, b), contentType: b.mediaType };
    case 'multipart':
      return { body: encodeMultipart(value, b), contentType: undefined };
    case 'text':
      return { body: typeof value === 'string' ? value : JSON.stringify(value), contentType: b.mediaType };
    case 'binary':
      return { body: decodeBase64(value, b.wholeArg!), contentType: b.mediaType };
  }
}

/** Arrays repeat the key (form, explode); nested objects use brackets (`metadata[key]=v`, as Stripe does). */
function encodeForm(value: unknown, b: BodyBinding): string {
  const pairs: string[] = [];
  const add = (k: string, v: string) => pairs.push(`${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`);
  const entries = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [['body', value] as const];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const enc = b.encoding[k];
    if (enc?.contentType?.includes('json')) add(k, JSON.stringify(v));
    else if (Array.isArray(v) && enc?.style !== 'deepObject' && v.every((x) => typeof x !== 'object' || x === null)) {
      if (enc?.explode === false) add(k, v.map(String).join(enc.style === 'spaceDelimited' ? ' ' : enc.style === 'pipeDelimited' ? '|' : ','));
      else for (const item of v) add(k, item === null ? '' : String(item));
    } else for (const [dk, dv] of deepObjectPairs(k, v)) add(dk, dv);
  }
  return pairs.join('&');
}

function encodeMultipart(value: unknown, b: BodyBinding): FormData {
  const form = new (undici().FormData)();
  const entries = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [['body', value] as const];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const enc = b.encoding[k];
    if (b.binaryProps.has(k)) {
      const bytes = decodeBase64(v, k);
      form.append(k, new Blob([bytes], { type: enc?.contentType ?? 'application/octet-stream' }), k);
    } else if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) {
      for (const item of v) form.append(k, String(item));
    } else if (typeof v === 'object' && v !== null) {
      form.append(k, new Blob([JSON.stringify(v)], { type: 'application/json' }));
    } else form.append(k, String(v));
  }
  return form;
}

function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value.replace(/\s+/g, ''))) {
    throw new AppError('TOOL_ARGS_INVALID', `argument "${field}" must be base64-encoded file content`, {
      details: { errors: [{ field, message: 'must be a base64 string' }] },
    });
  }
  return Buffer.from(value, 'base64');
}
