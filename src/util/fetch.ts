import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.js';
import { undici } from './undici.js';

interface Cached {
  text: string;
  etag?: string;
  lastModified?: string;
}

/** Last body and validators per URL, for conditional GETs when remote specs are refreshed. */
const cache = new LRUCache<string, Cached>({ max: 256 });

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
}

/** GET a text document with a timeout and a size cap; no redirects are followed. */
export async function fetchText(url: string, opts: FetchOptions): Promise<string> {
  return (await fetchConditional(url, opts)).text;
}

/**
 * GET with If-None-Match / If-Modified-Since from the last fetch of the same URL.
 * `changed` is false when the server answered 304 or sent the same bytes again.
 */
export async function fetchConditional(url: string, opts: FetchOptions): Promise<{ text: string; changed: boolean }> {
  const prev = cache.get(url);
  const headers: Record<string, string> = { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' };
  if (prev?.etag) headers['if-none-match'] = prev.etag;
  if (prev?.lastModified) headers['if-modified-since'] = prev.lastModified;
  let res;
  try {
    res = await undici().request(url, { method: 'GET', headers, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    throw new AppError('SPEC_LOAD_FAILED', `cannot fetch ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (res.statusCode === 304 && prev) {
    await res.body.dump();
    return { text: prev.text, changed: false };
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    throw new AppError('SPEC_LOAD_FAILED', `cannot fetch ${url}: HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > opts.maxBytes) {
      res.body.destroy();
      throw new AppError('SPEC_LOAD_FAILED', `cannot fetch ${url}: larger than ${opts.maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const header = (name: string) => (typeof res.headers[name] === 'string' ? (res.headers[name] as string) : undefined);
  cache.set(url, { text, etag: header('etag'), lastModified: header('last-modified') });
  return { text, changed: prev?.text !== text };
}
