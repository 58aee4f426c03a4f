import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

/** Reads a request body up to `limit` bytes; beyond it the read stops with REQUEST_TOO_LARGE. */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      reject(new AppError('REQUEST_TOO_LARGE', `request body is larger than ${limit} bytes (limits.maxRequestBody)`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AppError('REQUEST_TOO_LARGE', `request body is larger than ${limit} bytes (limits.maxRequestBody)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
