import { requireVendored } from './vendored.js';

/** The `yaml` package, from the build's one-file bundle when there is one (see util/vendored.ts). */
const yaml = requireVendored('yaml', (req) => req('yaml') as typeof import('yaml'));

export const { LineCounter, isMap, isPair, isScalar, isSeq, parse, parseDocument, visit } = yaml;
export type { Document, Node } from 'yaml';
