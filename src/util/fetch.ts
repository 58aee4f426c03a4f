import { request } from 'undici';
import { AppError } from '../errors.js';

/** GET a text document with a timeout and a size cap; no redirects to other hosts are followed. */
export async function fetchText(url: string, opts: { timeoutMs: number; maxBytes: number }): Promise<string> {
  let res;
  try {
    res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw new AppError('SPEC_LOAD_FAILED', `cannot fetch ${url}: ${(err as Error).message}`, { cause: err });
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
  return Buffer.concat(chunks).toString('utf8');
}
