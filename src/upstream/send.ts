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
 */
export function sendRequest(pool: Dispatcher, opts: SendOptions, timeoutMs: number, maxBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let contentType = '';
    let size = 0;
    const chunks: Buffer[] = [];
    let abort: (err?: Error) => void = () => {};
    const tooLarge = () => new AppError('UPSTREAM_RESPONSE_TOO_LARGE', `the upstream response is larger than the limit of ${maxBytes} bytes (upstream.maxResponseSize)`);
    pool.dispatch(
      {
        path: opts.path,
        method: opts.method as Dispatcher.HttpMethod,
        headers: opts.headers,
        body: opts.body as string,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      {
        // undici's core client takes the classic handler API; the new one needs a wrapper per call.
        onConnect(abortFn) {
          abort = abortFn;
        },
        onHeaders(statusCode, rawHeaders) {
          status = statusCode;
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = rawHeaders[i]!.toString('latin1').toLowerCase();
            if (name === 'content-type') contentType = rawHeaders[i + 1]!.toString('latin1');
            else if (name === 'content-length' && Number(rawHeaders[i + 1]!.toString('latin1')) > maxBytes) {
              abort(tooLarge());
              return false;
            }
          }
          return true;
        },
        onData(chunk) {
          size += chunk.length;
          if (size > maxBytes) {
            abort(tooLarge());
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          resolve({ status, contentType, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
        },
        onError(err) {
          reject(err);
        },
      } as Dispatcher.DispatchHandler,
    );
  });
}
