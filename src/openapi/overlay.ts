import { AppError } from '../errors.js';
import { isObject, type JsonObject } from './types.js';

/**
 * OpenAPI Overlay Specification 1.0 and 1.1: ordered actions, each a RFC 9535 JSONPath `target` with
 * `update`, `remove` or (1.1) `copy`, applied to the result of the action before it.
 */

/** RFC 9535 evaluation (jsonpath-rfc9535): every match's location as a list of keys and indexes. */
export type JsonPathExec = (doc: unknown, expression: string, each: (value: unknown, path: (string | number)[]) => void) => void;

export interface OverlayContext {
  /** File the overlay came from, for messages. */
  file: string;
  /** Line of `actions[i].<key>` in the file, when known. */
  lineOf(index: number, key: string): number | undefined;
  exec: JsonPathExec;
}

/** Does this parsed document look like an Overlay (rather than a partial OpenAPI document)? */
export function isOverlayDocument(doc: unknown): doc is JsonObject & { overlay: string; actions: unknown[] } {
  return isObject(doc) && typeof doc.overlay === 'string' && Array.isArray(doc.actions);
}

/**
 * Applies `overlay` to `doc` in place and returns warnings (targets that match nothing). Throws
 * SPEC_INVALID naming the file, line and action for anything the specification calls an error.
 */
export function applyOverlay(doc: JsonObject, overlay: JsonObject & { overlay: string; actions: unknown[] }, ctx: OverlayContext): string[] {
  const version = /^1\.([01])\.\d+$/.exec(overlay.overlay);
  if (!version) throw new AppError('SPEC_INVALID', `${ctx.file}: overlay: ${overlay.overlay} is not a supported version (1.0.x or 1.1.x)`);
  const hasCopy = version[1] === '1';
  if (overlay.actions.length === 0) throw new AppError('SPEC_INVALID', `${ctx.file}: actions: an overlay needs at least one action`);
  const warnings: string[] = [];
  overlay.actions.forEach((raw, i) => {
    const where = (key: string) => `${ctx.file}${lineSuffix(ctx.lineOf(i, key))}: actions[${i}]`;
    const fail = (key: string, message: string): never => {
      throw new AppError('SPEC_INVALID', `${where(key)}: ${message}`);
    };
    if (!isObject(raw)) fail('target', 'an action must be an object');
    const action = raw as JsonObject;
    if (typeof action.target !== 'string' || !action.target.startsWith('$')) fail('target', 'target must be a JSONPath expression starting with $');
    const target = action.target as string;
    if ('copy' in action && !hasCopy) fail('copy', `copy needs overlay: 1.1.0 (this file says ${overlay.overlay})`);
    if (action.copy !== undefined && action.update !== undefined && action.remove !== true) fail('copy', 'an action has both update and copy: use one');
    if (action.remove !== undefined && typeof action.remove !== 'boolean') fail('remove', 'remove must be true or false');
    const matches = select(doc, target, ctx.exec, (e) => fail('target', `target ${target}: ${e}`));
    if (matches.length === 0) {
      warnings.push(`${where('target')}: target ${target} matches nothing`);
      return;
    }
    if (action.remove === true) return removeAll(doc, matches, () => fail('target', 'the whole document cannot be removed'));
    let value: unknown = action.update;
    if (action.copy !== undefined) {
      if (typeof action.copy !== 'string' || !action.copy.startsWith('$')) fail('copy', 'copy must be a JSONPath expression starting with $');
      const sources = select(doc, action.copy as string, ctx.exec, (e) => fail('copy', `copy ${action.copy}: ${e}`));
      if (sources.length !== 1) fail('copy', `copy ${action.copy} must select exactly one node; it selects ${sources.length}`);
      value = structuredClone(sources[0]!.value);
    }
    if (value === undefined) return;
    const kinds = new Set(matches.map((m) => kindOf(m.value)));
    if (kinds.size > 1) fail('target', `target ${target} selects a mix of ${[...kinds].join(' and ')}s: an update needs them all alike`);
    for (const m of matches) {
      try {
        setAt(doc, m.path, merge(m.value, value));
      } catch (err) {
        fail(action.copy !== undefined ? 'copy' : 'update', `${(err as Error).message} at ${pointer(m.path)}`);
      }
    }
  });
  return warnings;
}

/**
 * The Overlay merge: objects merge key by key, arrays concatenate (a non-array value is appended),
 * primitives replace primitives. A null value leaves an existing object or array as it is (the
 * specification's own "structured overlay" example writes `components:` with no value).
 */
export function merge(target: unknown, update: unknown): unknown {
  if (Array.isArray(target)) return Array.isArray(update) ? [...target, ...structuredClone(update)] : update === null ? target : [...target, structuredClone(update)];
  if (isObject(target)) {
    if (update === null) return target;
    if (!isObject(update)) throw new Error(`cannot merge a ${kindOf(update)} into an object`);
    for (const [k, v] of Object.entries(update)) target[k] = k in target ? merge(target[k], v) : structuredClone(v);
    return target;
  }
  if (isObject(update) || Array.isArray(update)) throw new Error(`cannot merge a${kindOf(update) === 'array' ? 'n array' : 'n object'} into a primitive`);
  return update;
}

interface Match {
  value: unknown;
  path: (string | number)[];
}

function select(doc: unknown, expression: string, exec: JsonPathExec, fail: (message: string) => never): Match[] {
  const out: Match[] = [];
  try {
    exec(doc, expression, (value, path) => out.push({ value, path: [...path] }));
  } catch (err) {
    fail(`not a valid RFC 9535 JSONPath: ${(err as Error).message.split('\n')[0]}`);
  }
  // A node selected twice is changed once.
  const seen = new Set<string>();
  return out.filter((m) => !seen.has(pointer(m.path)) && seen.add(pointer(m.path)));
}

/** Deepest first, and higher array indexes before lower, so earlier removals never shift later ones. */
function removeAll(doc: JsonObject, matches: Match[], rootFail: () => never): void {
  const sorted = [...matches].sort((a, b) => {
    const n = Math.min(a.path.length, b.path.length);
    for (let i = 0; i < n; i++) {
      const x = a.path[i]!;
      const y = b.path[i]!;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return y - x;
      return String(x) < String(y) ? -1 : 1;
    }
    return b.path.length - a.path.length;
  });
  for (const m of sorted) {
    if (m.path.length === 0) rootFail();
    const parent = getAt(doc, m.path.slice(0, -1));
    const key = m.path[m.path.length - 1]!;
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else if (isObject(parent)) delete parent[key as string];
  }
}

function getAt(doc: unknown, path: (string | number)[]): unknown {
  let node: unknown = doc;
  for (const k of path) node = (node as Record<string | number, unknown>)?.[k];
  return node;
}

function setAt(doc: JsonObject, path: (string | number)[], value: unknown): void {
  if (path.length === 0) return; // the root was merged in place
  (getAt(doc, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

function kindOf(v: unknown): 'object' | 'array' | 'primitive' {
  return Array.isArray(v) ? 'array' : isObject(v) ? 'object' : 'primitive';
}

function pointer(path: (string | number)[]): string {
  return `/${path.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function lineSuffix(line: number | undefined): string {
  return line === undefined ? '' : `:${line}`;
}
