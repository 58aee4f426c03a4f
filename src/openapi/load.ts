import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpecSource, specLocation, type SpecSource } from '../config/spec-source.js';
import { parse as parseYaml } from '../util/yaml.js';
import { AppError } from '../errors.js';
import { hashContent } from '../runtime/fingerprint.js';
import { jsonText } from './json-text.js';
import { applyLayers } from './layers.js';
import { fetchText } from '../util/fetch.js';
import { isObject, type OpenApiDoc } from './types.js';
import { upgradeSwagger2 } from './upgrade.js';

export interface LoadedSpec {
  /** OpenAPI 3.x document whose `$ref`s all point inside itself. */
  doc: OpenApiDoc;
  /** Where the spec came from. */
  from: SpecSource;
  /** Its absolute file path or URL, for messages. */
  source: string;
  /** The version the author wrote: '2.0', '3.0' or '3.1'. */
  version: '2.0' | '3.0' | '3.1';
  /** Every local file the document was built from (to watch for changes). */
  files: string[];
  /**
   * Content hash of each of `files` as read for this build (to skip reloads when none changed).
   * Computed on first call, so hashing a large spec stays off the path to ready.
   */
  hashes?: () => Promise<Map<string, string>>;
  /** Overlays and partial documents layered on the spec (`overlays:`), in the order applied. */
  overlays?: string[];
  /** Problems that do not stop the build (an overlay target that matches nothing), with file and line. */
  warnings?: string[];
}

export interface SpecLoadOptions {
  /** Hosts (host or host:port) URL `$ref`s may be fetched from, besides the spec's own origin. */
  refHosts: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** Local files layered onto the spec as written, in order (see layers.ts). */
  overlays?: readonly string[];
}

/** `spec`: as compiled from a config; a string (a path relative to the working directory, or a URL) is parsed the same way. */
export async function loadSpec(spec: SpecSource | string, opts: SpecLoadOptions): Promise<LoadedSpec> {
  const from = typeof spec === 'string' ? parseLoadSource(spec) : spec;
  const source = specLocation(from);
  const isUrl = from.kind === 'url';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const read = isUrl ? undefined : await readLocal(source);
  // Hashed now, before specText rewrites the buffer, so the bytes are not kept until after ready.
  const rootHash = read ? Promise.resolve(hashContent(read.buf.subarray(0, read.length))) : undefined;
  const text = read ? specText(read.buf, read.length) : await fetchText(source, { timeoutMs, maxBytes });
  let doc = parseSpecText(text, source);
  let files = isUrl ? [] : [source];

  if (/^\s*\{/.test(text) ? EXTERNAL_REF_IN_JSON.test(text) : hasExternalRefs(doc)) {
    const allowed = new Set(opts.refHosts.map((h) => h.toLowerCase()));
    if (isUrl) allowed.add(new URL(source).host.toLowerCase());
    ({ doc, files } = await bundle(doc, source, isUrl, allowed, { timeoutMs, maxBytes }));
  }

  // Layers apply to the document as its author wrote it (before a Swagger 2.0 upgrade).
  const layered = opts.overlays?.length ? await applyLayers(doc, opts.overlays) : undefined;
  if (layered) files = [...new Set([...files, ...layered.hashes.keys()])];

  const declared = typeof doc.openapi === 'string' ? doc.openapi : typeof doc.swagger === 'string' ? doc.swagger : '';
  let version: LoadedSpec['version'];
  if (declared.startsWith('2.')) {
    version = '2.0';
    doc = await upgradeSwagger2(doc, source);
  } else if (declared.startsWith('3.0')) version = '3.0';
  else if (declared.startsWith('3.')) version = '3.1';
  else {
    throw new AppError('SPEC_INVALID', `${source}: not an OpenAPI document (no "openapi: 3.x" or "swagger: 2.0" field)`);
  }
  let hashed: Promise<Map<string, string>> | undefined;
  const known = new Map(layered?.hashes);
  const hashes = () => (hashed ??= rootHash ? hashFiles(source, rootHash, files, known) : Promise.resolve(new Map(known)));
  // Multi-file trees are hashed now: their other files are read again, and must match this build.
  if (files.length > 1 + known.size) await hashes();
  return { doc, from, source, version, files, hashes, ...(layered ? { overlays: [...layered.hashes.keys()], warnings: layered.warnings } : {}) };
}

function parseLoadSource(spec: string): SpecSource {
  try {
    return parseSpecSource(spec, process.cwd());
  } catch (err) {
    throw new AppError('SPEC_LOAD_FAILED', `cannot load spec: ${(err as Error).message}`, { cause: err });
  }
}

/** The root's hash from the bytes already read; a multi-file tree's other files are read again. */
async function hashFiles(source: string, rootHash: Promise<string>, files: string[], known: Map<string, string>): Promise<Map<string, string>> {
  const hashes = new Map([...known, [source, await rootHash]]);
  for (const f of files) if (!hashes.has(f)) hashes.set(f, await readFile(f).then(hashContent, () => 'missing'));
  return hashes;
}

/**
 * A spec file's text (`buf[0, length)`, the rest room to work in): JSON as a one-byte string
 * (see jsonText, which may rewrite `buf`), YAML decoded as UTF-8; a BOM dropped.
 */
function specText(buf: Buffer, length: number): string {
  const from = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let i = from;
  while (i < length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return buf[i] === 0x7b ? jsonText(buf.subarray(from), length - from) : buf.toString('utf8', from, length);
}

/**
 * The whole file in one read into one buffer sized from fstat, with room after it for jsonText's
 * escapes (room never written stays unbacked memory). fs.readFile would read in 512 KiB pieces.
 */
async function readLocal(file: string): Promise<{ buf: Buffer; length: number }> {
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      let buf = Buffer.allocUnsafe(size + Math.max(4096, size >>> 2));
      let length = 0;
      for (;;) {
        // A file that grew since fstat: make room and keep reading.
        if (length === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
        const { bytesRead } = await fh.read(buf, length, buf.length - length, null);
        if (bytesRead === 0) return { buf, length };
        length += bytesRead;
      }
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new AppError('SPEC_LOAD_FAILED', `cannot read spec ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function parseSpecText(text: string, source: string): OpenApiDoc {
  let value: unknown;
  try {
    // JSON is a subset of YAML, but JSON.parse is an order of magnitude faster on big specs.
    value = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1, merge: true });
  } catch (err) {
    throw new AppError('SPEC_INVALID', `${source}: cannot parse: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (!isObject(value)) throw new AppError('SPEC_INVALID', `${source}: not an OpenAPI document (top level is not an object)`);
  return value as OpenApiDoc;
}

/** In JSON text a quote inside a string is escaped, so this finds `"$ref": "<not #>"` keys only. */
const EXTERNAL_REF_IN_JSON = /"\$ref"\s*:\s*"(?!#)/;

function hasExternalRefs(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isObject(node)) {
      if (typeof node.$ref === 'string' && !node.$ref.startsWith('#')) return true;
      for (const v of Object.values(node)) if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return false;
}

/**
 * Pulls every external `$ref` (other files, URLs) into one document with internal refs only.
 * A remote spec may not read local files, and URL refs are fetched only from allowed hosts,
 * so a spec cannot make the sidecar read or call arbitrary places.
 */
async function bundle(
  doc: OpenApiDoc,
  source: string,
  isUrl: boolean,
  allowedHosts: Set<string>,
  limits: { timeoutMs: number; maxBytes: number },
): Promise<{ doc: OpenApiDoc; files: string[] }> {
  // A plain path: the ref parser encodes it itself (a file: URL would be encoded twice).
  const base = isUrl ? source : path.resolve(source);
  // The ref parser wraps resolver errors in its own (dropping ours), so keep the first one here.
  let readError: AppError | undefined;
  const refuse = (url: string, why: string): never => {
    throw (readError ??= new AppError('SPEC_REF_FORBIDDEN', `$ref to ${url} is not allowed: ${why}`));
  };
  const guardedHttp = {
    order: 1,
    canRead: /^https?:\/\//i,
    read: async (file: { url: string }) => {
      const host = new URL(file.url).host.toLowerCase();
      if (!allowedHosts.has(host)) refuse(file.url, `host ${host} is not the spec's origin nor listed in refHosts`);
      try {
        return await fetchText(file.url, limits);
      } catch (err) {
        throw (readError ??= err instanceof AppError ? err : new AppError('SPEC_LOAD_FAILED', `cannot fetch ${file.url}: ${(err as Error).message}`, { cause: err }));
      }
    },
  };
  // A spec fetched from a URL may not read local files.
  const noLocalFiles = { order: 2, canRead: /^(?!https?:\/\/)/i, read: (file: { url: string }) => refuse(file.url, 'a spec loaded from a URL may not read local files') };
  // Loaded only for specs that have external refs.
  const { default: $RefParser } = await import('@apidevtools/json-schema-ref-parser');
  const parser = new $RefParser();
  try {
    const bundled = await parser.bundle(base, structuredClone(doc), {
      resolve: { external: true, file: isUrl ? false : undefined, http: false, guardedHttp, ...(isUrl ? { noLocalFiles } : {}) } as never,
      dereference: { circular: true },
    });
    const files = parser.$refs
      .paths('file')
      .map((p) => (p.startsWith('file:') ? fileURLToPath(p) : path.resolve(p)));
    return { doc: bundled as OpenApiDoc, files: [...new Set([...(isUrl ? [] : [source]), ...files])] };
  } catch (err) {
    if (readError) throw readError;
    const inner = findAppError(err);
    if (inner) throw inner;
    throw new AppError('SPEC_LOAD_FAILED', `${source}: cannot resolve $refs: ${(err as Error).message}`, { cause: err });
  }
}

function findAppError(err: unknown): AppError | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof AppError) return e;
  }
  return undefined;
}
