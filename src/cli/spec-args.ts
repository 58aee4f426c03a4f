import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import { parse as parseYaml } from '../util/yaml.js';

export interface SpecArgs {
  spec: string;
  /** The server's name (HAPI's project name), when the command line gave one. */
  name: string | undefined;
  /** Files layered onto the spec, in order. */
  overlays: string[];
}

/**
 * The spec, server name and overlays of `serve` without a config file, in HAPI's forms too:
 *
 * - `serve SPEC [-f FILE…]`: SPEC is a URL or a file; each FILE is layered on it.
 * - `serve NAME --openapi SPEC [-f FILE…]`: NAME names the server.
 * - `serve NAME -f FILE…` where NAME is not a spec: the first FILE that is a whole OpenAPI document
 *   (`openapi`/`swagger` and `paths`) is the spec, the rest are layered on it; when none is, the
 *   spec is HAPI's project file `$HAPI_HOME/specs/NAME.{yaml,yml,json}` (HAPI_HOME: ~/.hapi).
 */
export function resolveSpecArgs(positional: string, openapi: string | undefined, files: readonly string[], env: NodeJS.ProcessEnv): SpecArgs {
  if (openapi !== undefined) return { spec: openapi, name: positional, overlays: [...files] };
  if (isSpecLocation(positional)) return { spec: positional, name: undefined, overlays: [...files] };
  const i = files.findIndex(isWholeSpec);
  if (i >= 0) return { spec: files[i]!, name: positional, overlays: files.filter((_, j) => j !== i) };
  const home = env.HAPI_HOME ?? path.join(homedir(), '.hapi');
  const project = ['yaml', 'yml', 'json'].map((ext) => path.join(home, 'specs', `${positional}.${ext}`)).find((f) => existsSync(f));
  if (project) return { spec: project, name: positional, overlays: [...files] };
  if (files.length === 0) return { spec: positional, name: undefined, overlays: [] };
  throw new AppError(
    'CONFIG_INVALID',
    `"${positional}" is not a spec file or URL, none of the -f files is an OpenAPI document with paths, and there is no ${path.join(home, 'specs', `${positional}.yaml`)}: ` +
      'give the spec as `serve <spec> -f <file>` or `serve <name> -f <spec>`',
  );
}

/** A URL, an existing file, or something written like a file path. */
export function isSpecLocation(s: string): boolean {
  return /^(https?|file):\/\//i.test(s) || existsSync(s) || /[\\/]|\.(ya?ml|json)$/i.test(s);
}

/** Is this file an OpenAPI document of its own (not an overlay or a partial one)? Unreadable: no. */
function isWholeSpec(file: string): boolean {
  let doc: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    doc = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch {
    return false;
  }
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as Record<string, unknown>;
  return (typeof d.openapi === 'string' || typeof d.swagger === 'string') && typeof d.paths === 'object' && d.paths !== null;
}
