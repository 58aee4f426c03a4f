import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHttpUrl } from '../util/url.js';

/** Where a spec is read from: decided once, when the config (file or command line) is compiled. */
export type SpecSource = { kind: 'file'; path: string } | { kind: 'url'; url: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * A spec as written → a local file (a relative path resolved against `dir`, or a `file://` URL) or an
 * http(s) URL. Throws a message for the config problem on any other scheme or on a URL that does not parse.
 */
export function parseSpecSource(spec: string, dir: string): SpecSource {
  const scheme = SCHEME.exec(spec)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: path.resolve(dir, spec) };
  if (scheme === 'file') {
    try {
      return { kind: 'file', path: fileURLToPath(spec) };
    } catch (err) {
      throw new Error(`not a valid file URL: ${spec} (${(err as Error).message})`, { cause: err });
    }
  }
  if (scheme !== 'http' && scheme !== 'https') throw new Error(`not a file path or an http(s) URL: ${spec}`);
  if (!isHttpUrl(spec)) throw new Error(`not a valid URL: ${spec}`);
  return { kind: 'url', url: spec };
}

/** The file path or URL, for messages. */
export function specLocation(source: SpecSource): string {
  return source.kind === 'file' ? source.path : source.url;
}

/** The local spec files among `sources` (to watch; URLs are polled instead). */
export function specFiles(sources: Iterable<SpecSource>): string[] {
  return [...sources].flatMap((s) => (s.kind === 'file' ? [s.path] : []));
}
