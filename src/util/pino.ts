import type { pino as Pino } from 'pino';
import { requireVendored } from './vendored.js';

/** The `pino` function, from the build's one-file bundle when there is one (see util/vendored.ts). */
const pino = requireVendored('pino', (req) => req('pino') as typeof Pino);

export default pino;
export type { Logger } from 'pino';
