import type { ToolDefinition } from '../openapi/index.js';
import { applyProfile, isSchemaProfile, type SchemaProfile } from '../openapi/profiles/index.js';
import { globToRegExp } from '../util/glob.js';

/** What a request says about its client, for `schemaProfile: auto` and per-endpoint choices. */
export interface ClientHints {
  /** `?profile=` on the endpoint URL: wins over everything. Already checked by the caller. */
  explicit?: SchemaProfile | undefined;
  /** clientInfo.name: from the 2026-07-28 request `_meta`, or a stateful session's initialize. */
  clientName?: string | undefined;
  userAgent?: string | undefined;
}

/**
 * Known clients by the `clientInfo.name` they send, and the profile their model provider needs.
 * Sources in docs/config.md. Anything else gets `full`.
 */
export const KNOWN_CLIENTS: readonly [string, SchemaProfile][] = [
  ['claude-code', 'full'],
  ['claude-ai', 'full'],
  ['gemini-cli-mcp-client', 'gemini'],
  ['gemini-cli*', 'gemini'],
  ['codex-mcp-client', 'openai-strict'],
  ['openai-mcp', 'openai-strict'],
  ['cursor*', 'portable'],
];

/** One profile's published tools: tools/list bytes made on first use, and names back to the tools. */
export interface ProfileView {
  profile: SchemaProfile;
  definitions: ToolDefinition[];
  listBytes: Buffer;
  /** Published tool name → the tool's own name and the argument renames, where a profile changed either. */
  byName: Map<string, { name: string; renames: Record<string, string> | undefined }>;
  listFor(visible: (tool: string) => boolean): Buffer;
}

export interface ProfileSet {
  configured: SchemaProfile | 'auto';
  resolve(hints: ClientHints): SchemaProfile;
  view(profile: SchemaProfile): ProfileView;
}

/**
 * The profiles one server publishes. Each profile's definitions and tools/list bytes are built once
 * per snapshot, on the first request that needs them: the transform never runs per request.
 */
export function createProfileSet(
  definitions: ToolDefinition[],
  configured: SchemaProfile | 'auto',
  clientProfiles: Record<string, SchemaProfile>,
  full: Pick<ProfileView, 'listBytes' | 'listFor'>,
  encode: (defs: readonly ToolDefinition[]) => Buffer,
): ProfileSet {
  const views = new Map<SchemaProfile, ProfileView>();
  const table = [...Object.entries(clientProfiles), ...KNOWN_CLIENTS].map(([glob, p]) => [globToRegExp(glob.toLowerCase()), p] as const);
  const byClient = new Map<string, SchemaProfile>();
  const forClient = (name: string): SchemaProfile | undefined => {
    const key = name.toLowerCase();
    let p = byClient.get(key);
    if (p === undefined) {
      p = table.find(([re]) => re.test(key))?.[1] ?? 'full';
      if (byClient.size < 1000) byClient.set(key, p);
    }
    return p;
  };
  return {
    configured,
    resolve(hints) {
      if (hints.explicit) return hints.explicit;
      if (configured !== 'auto') return configured;
      if (hints.clientName) return forClient(hints.clientName)!;
      // `claude-code/2.1.0 (…)`: the first product token, matched like a client name.
      const product = hints.userAgent?.split('/', 1)[0]?.trim();
      return product ? forClient(product)! : 'full';
    },
    view(profile) {
      let v = views.get(profile);
      if (!v) {
        v = profile === 'full' ? { profile, definitions, byName: new Map(), ...full } : buildView(definitions, profile, encode);
        views.set(profile, v);
      }
      return v;
    },
  };
}

function buildView(definitions: ToolDefinition[], profile: SchemaProfile, encode: (defs: readonly ToolDefinition[]) => Buffer): ProfileView {
  const profiled = definitions.map((d) => ({ own: d.name, ...applyProfile(d, profile) }));
  const defs = profiled.map((p) => p.definition);
  const byName = new Map<string, { name: string; renames: Record<string, string> | undefined }>();
  for (const p of profiled) if (p.renames || p.definition.name !== p.own) byName.set(p.definition.name, { name: p.own, renames: p.renames });
  const listBytes = encode(defs);
  const filtered = new Map<string, Buffer>();
  return {
    profile,
    definitions: defs,
    listBytes,
    byName,
    listFor(visible) {
      const shown = profiled.filter((p) => visible(p.own));
      if (shown.length === profiled.length) return listBytes;
      const key = shown.map((p) => p.own).join('\0');
      let bytes = filtered.get(key);
      if (bytes === undefined) {
        bytes = encode(shown.map((p) => p.definition));
        if (filtered.size < 256) filtered.set(key, bytes);
      }
      return bytes;
    },
  };
}

/** `?profile=gemini` on an endpoint URL: the profile, undefined when absent, or an error message. */
export function parseProfileQuery(url: string | undefined): SchemaProfile | undefined | { error: string } {
  const q = url?.indexOf('?') ?? -1;
  if (q === -1) return undefined;
  const value = new URLSearchParams(url!.slice(q + 1)).get('profile');
  if (value === null) return undefined;
  return isSchemaProfile(value) ? value : { error: `unknown schema profile "${value}" in ?profile= (one of: full, portable, gemini, openai-strict)` };
}
