import { buildAuthRuntime, createAuthShared, resolveSpecAuth, type AuthRuntime, type AuthShared } from '../auth/index.js';
import { compileCorsBlock } from '../config/load.js';
import type { AuthConfig, Config, CorsConfig, ServerConfig } from '../config/types.js';
import { AppError, isAppError, type Problem } from '../errors.js';
import { buildToolSet, loadSpec, readSpecCors, readSpecOAuth, type LoadedSpec, type ToolDef, type ToolDefinition } from '../openapi/index.js';
import { compileCors, type CorsPolicy } from '../http/cors.js';
import { compileHostMatcher } from '../http/hosts.js';
import { buildMetaDefinitions, buildSearchEntry, buildSearchIndex, pickMetaNames, resolveToolsMode, type MetaNames, type SearchIndex } from '../search/index.js';
import { parseBaseUrl, type PoolRegistry, type UpstreamTarget } from '../upstream/index.js';
import { createGlobMatcher } from '../util/glob.js';
import { combineHashes } from './fingerprint.js';
import { checkToolScopeKeys } from './tool-keys.js';
import { createProfileSet, type ProfileSet } from './profiles.js';
import { buildShaping } from './shaping.js';
import type { ToolShaping } from '../upstream/shape.js';
import { createLazyValidator, lazyAjv, type LazyValidator } from './validators.js';
import { isHttpUrl } from '../util/url.js';

export interface RuntimeTool {
  def: ToolDef;
  target: UpstreamTarget;
  validateArgs: LazyValidator;
  /** Set when the tool publishes an outputSchema: structuredContent is checked against it. */
  validateOutput: LazyValidator | undefined;
  /** Result budget and projection (tools.maxResultTokens, tools.projection). */
  shaping: ToolShaping;
}

export interface ServerRuntime {
  config: ServerConfig;
  name: string;
  title: string;
  version: string;
  instructions: string | undefined;
  tools: Map<string, RuntimeTool>;
  /**
   * `{"tools":[…]}` serialised and UTF-8 encoded once: tools/list writes these bytes as they are.
   * In search mode: the meta-tools and the pinned tools.
   */
  toolsListBytes: Buffer;
  /** What tools/list shows (every tool in flat mode; meta-tools and pinned tools in search mode). */
  definitions: ToolDefinition[];
  /** Bytes of the flat tools/list (every tool) and of the search-mode one, whatever the mode. */
  flatListBytes: number;
  searchListBytes: number;
  /** The mode this server runs in (tools.mode resolved against tools.budget) and why. */
  mode: 'flat' | 'search';
  modeReason: string;
  /** The meta-tools' names; set in search mode. */
  meta: MetaNames | undefined;
  /** The ranking index over every tool, built on first use and kept for this snapshot. */
  searchIndex(): SearchIndex;
  operationCount: number;
  warnings: string[];
  /** Undefined: no browser origin may call this server. */
  cors: CorsPolicy | undefined;
  /** Undefined: no OAuth (anyone who can reach the endpoint may call it). */
  auth: AuthRuntime | undefined;
  /** One info line per tool call (logging.accessLog); else the line is at debug level. */
  accessLog: boolean;
  /** tools/list bytes for a caller who may not see every tool, by the set of tools visible. */
  listFor(visible: (tool: string) => boolean): Buffer;
  /** The schema profiles this server publishes (tools.schemaProfile), each built on first use. */
  profiles: ProfileSet;
}

export interface Snapshot {
  generation: number;
  config: Config;
  /** By endpoint path, e.g. `/mcp/petstore`. */
  servers: Map<string, ServerRuntime>;
  /** Local files this snapshot was built from: the config and every spec file. */
  files: string[];
  builtAt: Date;
  /**
   * Content hash of exactly what this build read: the config's text and each spec file as the loader
   * read it, so an edit made during the build is never mistaken for "unchanged". Undefined when the
   * build cannot know (a config given in memory, a spec fetched by URL): the next reload rebuilds.
   * Combined when first read, so start-up does not wait for it.
   */
  readonly fingerprint: Promise<string | undefined>;
  /** Host header check against DNS rebinding (config.allowedHosts). */
  hostAllowed: (host: string | undefined) => boolean;
  /** Releases what the snapshot holds (pool references). Called once, when no request uses it. */
  dispose(): void;
}

export interface BuildDeps {
  pools: PoolRegistry;
  generation: number;
  version: string;
  /** Auth state shared across snapshots (JWKS, discovery, caches); one is made when absent. */
  auth?: AuthShared;
  /** The sidecar's public base URL (publicUrl, else the bound address), for resource URIs. */
  publicBase?: () => string;
  /** Hash of the config file's text as loaded (`loadConfig`); without it there is no fingerprint. */
  configHash?: string;
}

/**
 * Config → a complete runtime: every spec loaded, every tool built, every pool acquired.
 * All or nothing: on any problem, whatever was acquired is released and nothing is returned.
 */
export async function buildSnapshot(config: Config, deps: BuildDeps): Promise<Snapshot> {
  const acquired: UpstreamTarget['pool'][] = [];
  const problems: Problem[] = [];
  const files = new Set<string>(config.file ? [config.file] : []);
  const hashers: (() => Promise<Map<string, string>>)[] = [];
  let hashed = true;
  const results = await Promise.all(
    config.servers.map(async (server) => {
      try {
        const spec = await loadSpec(server.spec, { refHosts: server.refHosts, overlays: server.overlays });
        for (const f of spec.files) files.add(f);
        if (spec.hashes) hashers.push(spec.hashes);
        else hashed = false;
        return { server, spec, security: await specSecurity(server, spec, () => (deps.auth ??= createAuthShared())) };
      } catch (err) {
        problems.push({ ...server.specAt, message: isAppError(err) ? err.message : String(err) });
        return undefined;
      }
    }),
  );
  const servers = new Map<string, ServerRuntime>();
  try {
    for (const r of results) {
      if (!r) continue;
      try {
        servers.set(r.server.path, buildServer(r.server, r.spec, deps, acquired, config.logging.accessLog, r.security));
      } catch (err) {
        if (isAppError(err, 'CONFIG_INVALID') && err.problems.length > 0) problems.push(...err.problems);
        else problems.push({ ...r.server.specAt, message: isAppError(err) ? err.message : String(err) });
      }
    }
  } catch (err) {
    releaseAll(deps.pools, acquired);
    throw err;
  }
  if (problems.length > 0) {
    releaseAll(deps.pools, acquired);
    throw new AppError('CONFIG_INVALID', `${config.file || 'config'}: cannot build the servers`, { problems });
  }
  let disposed = false;
  let fingerprint: Promise<string | undefined> | undefined;
  const combine = async (): Promise<string | undefined> => {
    if (!deps.configHash || !config.file || !hashed) return undefined;
    const specs = await Promise.all(hashers.map((h) => h()));
    return combineHashes(new Map([...specs.flatMap((m) => [...m]), [config.file, deps.configHash]]));
  };
  return {
    generation: deps.generation,
    config,
    servers,
    files: [...files],
    builtAt: new Date(),
    get fingerprint() {
      return (fingerprint ??= combine());
    },
    hostAllowed: compileHostMatcher(config.allowedHosts),
    dispose() {
      if (disposed) return;
      disposed = true;
      releaseAll(deps.pools, acquired);
    },
  };
}

function releaseAll(pools: PoolRegistry, acquired: UpstreamTarget['pool'][]): void {
  for (const p of acquired.splice(0)) pools.release(p);
}

/**
 * Auth and CORS the spec asks for, as HAPI reads them, when the server takes them from the spec
 * (`serve <spec>` without a config) and says none itself; else a warning when the spec requires
 * OAuth that the config leaves off.
 */
async function specSecurity(server: ServerConfig, spec: LoadedSpec, shared: () => AuthShared): Promise<SpecSecurity> {
  const oauth = readSpecOAuth(spec.doc);
  const warnings = [...(spec.warnings ?? [])];
  if (!server.specSecurity) {
    if (!server.auth && oauth?.required) {
      warnings.push(`the spec's security requirements use its oauth2 scheme "${oauth.scheme}", but this server has no auth block: it is served without OAuth (add auth: to require tokens)`);
    }
    return { auth: undefined, cors: undefined, warnings };
  }
  const auth = !server.auth && oauth?.required ? await resolveSpecAuth(oauth, shared().discovery) : undefined;
  const rawCors = server.cors ? undefined : readSpecCors(spec.doc);
  return { auth, cors: rawCors ? compileCorsBlock(rawCors) : undefined, warnings };
}

interface SpecSecurity {
  auth: AuthConfig | undefined;
  cors: CorsConfig | undefined;
  warnings: string[];
}

function buildServer(
  server: ServerConfig,
  spec: LoadedSpec,
  deps: BuildDeps,
  acquired: UpstreamTarget['pool'][],
  accessLog: boolean,
  fromSpec: SpecSecurity,
): ServerRuntime {
  const set = buildToolSet(spec, server);
  checkToolScopeKeys(server, set);
  const authConfig = server.auth ?? fromSpec.auth;
  const corsConfig = server.cors ?? fromSpec.cors;
  const ajv = lazyAjv();
  const targets = new Map<string, UpstreamTarget>();
  const targetFor = (url: string): UpstreamTarget => {
    let t = targets.get(url);
    if (!t) {
      const base = parseBaseUrl(url);
      const pool = deps.pools.acquire(base.origin, {
        connections: server.upstream.maxConnections,
        connectTimeoutMs: server.upstream.connectTimeoutMs,
      });
      acquired.push(pool);
      t = {
        base,
        pool,
        headers: lowerKeys(server.upstream.headers),
        timeoutMs: server.upstream.timeoutMs,
        maxResponseBytes: server.upstream.maxResponseBytes,
      };
      targets.set(url, t);
    }
    return t;
  };
  const tools = new Map<string, RuntimeTool>();
  for (const def of set.tools) {
    const url = def.binding.baseUrl ?? set.baseUrl;
    if (!isHttpUrl(url)) throw new AppError('SPEC_INVALID', `tool ${def.name}: upstream URL ${url} is not http(s)`);
    const shaping = buildShaping(def, server);
    tools.set(def.name, {
      def,
      shaping,
      target: targetFor(url),
      validateArgs: createLazyValidator(ajv, def.definition.inputSchema),
      validateOutput: def.definition.outputSchema ? createLazyValidator(ajv, def.definition.outputSchema) : undefined,
    });
  }
  const definitions = set.tools.map((t) => t.definition);
  const title = server.title ?? set.title ?? server.name;
  const auth = authConfig
    ? buildAuthRuntime({
        auth: authConfig,
        serverPath: server.path,
        serverTitle: title,
        publicBase: deps.publicBase ?? (() => 'http://127.0.0.1'),
        tools: set.tools,
        specOAuth: set.oauth,
        shared: (deps.auth ??= createAuthShared()),
      })
    : undefined;
  const filtered = new Map<string, Buffer>();
  const flatBytes = encodeToolsList(definitions);
  const choice = resolveToolsMode(server.tools.mode, server.tools.budget, flatBytes.length, set.tools.length);
  const extraWarnings: string[] = [];
  // The search-mode list is small and built either way: `mcp-sidecar tools` shows both sizes.
  const metaNames = pickMetaNames((n) => tools.has(n));
  const pinned = pinnedTools(set.tools, server.tools.pinned, extraWarnings);
  const searchDefs = [...buildMetaDefinitions(metaNames, { title, tools: set.tools.length, pinned: pinned.map((t) => t.name) }), ...pinned.map((t) => t.definition)];
  const searchBytes = encodeToolsList(searchDefs);
  const search = choice.mode === 'search';
  const meta: MetaNames | undefined = search ? metaNames : undefined;
  const listed = search ? pinned : set.tools;
  const shownDefs = search ? searchDefs : definitions;
  const toolsListBytes = search ? searchBytes : flatBytes;
  if (!search && flatBytes.length > LARGE_TOOLS_LIST) extraWarnings.push(largeListWarning(flatBytes.length, set.tools.length));
  const metaDefs = shownDefs.slice(0, shownDefs.length - listed.length);
  const warnings = [...fromSpec.warnings, ...set.warnings, ...extraWarnings];
  let index: SearchIndex | undefined;
  const listFor = (visible: (tool: string) => boolean): Buffer => {
    const shown = listed.filter((t) => visible(t.name));
    if (shown.length === listed.length) return toolsListBytes;
    const key = shown.map((t) => t.name).join('\0');
    let bytes = filtered.get(key);
    if (bytes === undefined) {
      bytes = encodeToolsList([...metaDefs, ...shown.map((t) => t.definition)]);
      if (filtered.size < 256) filtered.set(key, bytes);
    }
    return bytes;
  };
  return {
    config: server,
    name: server.name,
    title,
    version: set.version ?? deps.version,
    instructions: server.instructions ?? undefined,
    tools,
    toolsListBytes,
    definitions: shownDefs,
    flatListBytes: flatBytes.length,
    searchListBytes: searchBytes.length,
    mode: choice.mode,
    modeReason: choice.reason,
    meta,
    searchIndex: () => (index ??= buildSearchIndex(set.tools.map((t) => buildSearchEntry(t, set.tagDescriptions)))),
    operationCount: set.operationCount,
    warnings,
    cors: corsConfig && corsConfig.allowedOrigins.length > 0 ? compileCors(corsConfig) : undefined,
    auth,
    accessLog,
    listFor,
    // In search mode a profile reshapes what is listed: the meta-tools and the pinned tools.
    profiles: createProfileSet(shownDefs, server.tools.schemaProfile, server.tools.clientProfiles, { listBytes: toolsListBytes, listFor }, encodeToolsList),
  };
}

/** tools.pinned (names, operationIds or globs) → the tools listed beside the meta-tools. */
function pinnedTools(all: ToolDef[], patterns: string[], warnings: string[]): ToolDef[] {
  if (patterns.length === 0) return [];
  const match = createGlobMatcher(patterns);
  const out = all.filter((t) => match(t.name) || (t.operationId !== undefined && match(t.operationId)));
  for (const p of patterns) {
    const one = createGlobMatcher([p]);
    if (!all.some((t) => one(t.name) || (t.operationId !== undefined && one(t.operationId)))) warnings.push(`tools.pinned: ${p} matches no tool`);
  }
  return out;
}

/** Past this, tools/list is more than any model's context: say so at load time. */
const LARGE_TOOLS_LIST = 8 * 1024 * 1024;

function largeListWarning(bytes: number, tools: number): string {
  return `tools/list is ${(bytes / 1e6).toFixed(0)} MB (≈${Math.ceil(bytes / 4 / 1e6)}M tokens) for ${tools} tools: more than a model can read; set tools.mode to search or auto, or choose tools with tools.include / tools.exclude`;
}

/**
 * `{"tools":[…]}` as UTF-8, one tool at a time into one buffer: never the whole list as one string
 * (7.8 MB for GitHub's spec as UTF-16) next to its bytes, at the moment start-up memory peaks.
 */
export function encodeToolsList(definitions: readonly ToolDefinition[]): Buffer {
  const parts = definitions.map((d) => JSON.stringify(d));
  let size = '{"tools":[]}'.length + Math.max(0, parts.length - 1);
  for (const p of parts) size += Buffer.byteLength(p);
  const out = Buffer.allocUnsafe(size);
  let at = out.write('{"tools":[', 0, 'latin1');
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = 0x2c; // ','
    at += out.write(p, at);
  });
  at += out.write(']}', at, 'latin1');
  return out;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
