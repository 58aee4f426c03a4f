import type { Dispatcher, FormData } from 'undici';
import { AppError } from '../errors.js';

export interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface SendOptions {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | FormData | undefined;
}

/**
 * One upstream request on a pool, collected into a Buffer. Uses undici's dispatch handler API
 * rather than `request()`, which wraps every body in a Readable stream that the hot path does not
 * need; the size cap aborts the transfer as soon as it is exceeded.
 *
 * `timeoutMs` is a deadline for the whole exchange, from dispatch to the last body byte: undici's own
 * headers and body timeouts only bound the gaps between bytes, so a body trickling in a byte at a time
 * would otherwise hold the call (and its concurrency slot) for as long as the upstream likes. At the
 * deadline the request is aborted (its connection closed) and the call fails with UPSTREAM_TIMEOUT.
 */
export function sendRequest(pool: Dispatcher, opts: SendOptions, timeoutMs: number, maxBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let contentType = '';
    let size = 0;
    const chunks: Buffer[] = [];
    let abort: ((err?: Error) => void) | undefined;
    let failure: Error | undefined;
    const fail = (err: Error) => {
      failure ??= err;
      clearTimeout(deadline);
      reject(failure);
      // Before onConnect (still queued for a connection) there is nothing to abort yet: onConnect does it.
      abort?.(failure);
    };
    // 0 turns the deadline off, as it does undici's own timeouts.
    const deadline = timeoutMs > 0 ? setTimeout(() => fail(new AppError('UPSTREAM_TIMEOUT', `the upstream did not answer within ${timeoutMs} ms`)), timeoutMs) : undefined;
    const tooLarge = () => new AppError('UPSTREAM_RESPONSE_TOO_LARGE', `the upstream response is larger than the limit of ${maxBytes} bytes (upstream.maxResponseSize)`);
    pool.dispatch(
      {
        path: opts.path,
        method: opts.method as Dispatcher.HttpMethod,
        headers: opts.headers,
        body: opts.body as string,
        // The deadline above covers both: undici's own would race it at the same moment.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      {
        // undici's core client takes the classic handler API; the new one needs a wrapper per call.
        onConnect(abortFn) {
          if (failure) return abortFn(failure);
          abort = abortFn;
        },
        onHeaders(statusCode, rawHeaders) {
          if (failure) return false;
          status = statusCode;
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = rawHeaders[i]!.toString('latin1').toLowerCase();
            if (name === 'content-type') contentType = rawHeaders[i + 1]!.toString('latin1');
            else if (name === 'content-length' && Number(rawHeaders[i + 1]!.toString('latin1')) > maxBytes) {
              fail(tooLarge());
              return false;
            }
          }
          return true;
        },
        onData(chunk) {
          if (failure) return false;
          size += chunk.length;
          if (size > maxBytes) {
            fail(tooLarge());
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          clearTimeout(deadline);
          resolve({ status, contentType, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
        },
        onError(err) {
          clearTimeout(deadline);
          reject(failure ?? err);
        },
      } as Dispatcher.DispatchHandler,
    );
  });
}
