import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/**
 * undici's Pool on its own: the package index also loads fetch, WebSocket and cookies, ~80 ms of
 * start-up that the upstream path never uses. test/upstream/undici.test.ts checks it is the same class.
 */
export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;

let loaded: typeof Undici | undefined;

/** The whole of undici, loaded on first use (discovery, userinfo, remote specs, multipart bodies). */
export function undici(): typeof Undici {
  return (loaded ??= require('undici') as typeof Undici);
}
