import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { hashContent } from '../runtime/fingerprint.js';
import { LineCounter, parseDocument, type Node } from '../util/yaml.js';
import { applyOverlay, isOverlayDocument, merge, type JsonPathExec } from './overlay.js';
import { hapiSecurityToPartial, isHapiSecurityDocument } from './security.js';
import { isObject, type OpenApiDoc } from './types.js';

export interface AppliedLayers {
  /** Targets that matched nothing, as `file:line: actions[i]: …`. */
  warnings: string[];
  /** Each layer file's content hash as read for this build. */
  hashes: Map<string, string>;
}

/**
 * Layers files onto a spec, in order, in place (`-f` on the command line, `overlays:` in the config).
 * Each file is one of: an OpenAPI Overlay (1.0/1.1: `overlay:` and `actions:`); HAPI's security file
 * (`kind: Security`); or a partial OpenAPI document, merged onto the spec by the Overlay merge rules
 * (as an `update` of `$`).
 */
export async function applyLayers(doc: OpenApiDoc, files: readonly string[]): Promise<AppliedLayers> {
  const warnings: string[] = [];
  const hashes = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AppError('SPEC_LOAD_FAILED', `cannot read overlay ${file}: ${(err as Error).message}`, { cause: err });
    }
    hashes.set(file, hashContent(text));
    const lines = new LineCounter();
    const parsed = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (parsed.errors.length > 0) {
      const e = parsed.errors[0]!;
      throw new AppError('SPEC_INVALID', `${file}:${lines.linePos(e.pos[0]).line}: cannot parse: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = parsed.toJS({ maxAliasCount: -1 });
    const name = path.basename(file);
    if (isOverlayDocument(value)) {
      const lineOf = (i: number, key: string) => {
        const node = (parsed.getIn(['actions', i, key], true) ?? parsed.getIn(['actions', i], true)) as Node | undefined;
        return node?.range ? lines.linePos(node.range[0]).line : undefined;
      };
      warnings.push(...applyOverlay(doc, value, { file: name, lineOf, exec: await loadJsonPath() }));
    } else if (isObject(value)) {
      try {
        merge(doc, isHapiSecurityDocument(value) ? hapiSecurityToPartial(value) : value);
      } catch (err) {
        throw new AppError('SPEC_INVALID', `${name}: cannot merge onto the spec: ${(err as Error).message}`);
      }
    } else {
      throw new AppError('SPEC_INVALID', `${name}: neither an Overlay (overlay:, actions:) nor a partial OpenAPI document (an object)`);
    }
  }
  return { warnings, hashes };
}

let jsonPath: Promise<JsonPathExec> | undefined;
/** RFC 9535 JSONPath, loaded the first time an Overlay is applied. */
function loadJsonPath(): Promise<JsonPathExec> {
  jsonPath ??= import('jsonpath-rfc9535').then((m) => (doc, expression, each) => m.exec(doc as never, expression, each as never));
  return jsonPath;
}
