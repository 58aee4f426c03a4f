import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../demo/api.js';
import type { Config } from '../config/types.js';
import { formatError } from '../errors.js';
import { createLogger } from '../log.js';
import type { ToolDefinition } from '../openapi/index.js';
import { SCHEMA_PROFILES, applyProfile, checkProfile } from '../openapi/profiles/index.js';
import { buildSnapshot, type ServerRuntime, type Snapshot } from '../runtime/index.js';
import { startSidecar, type Sidecar } from '../sidecar.js';
import { PoolRegistry } from '../upstream/index.js';
import { NAME, VERSION } from '../version.js';
import type { CliArgs } from './args.js';
import { loadFromSource, resolveConfigSource, type ConfigSource } from './config-source.js';
import { installSignals } from './signals.js';

type Out = (line: string) => void;

export async function runServe(args: CliArgs, env: NodeJS.ProcessEnv): Promise<Sidecar> {
  const source = resolveConfigSource(args, env);
  const sidecar = await startSidecar({ ...source, host: args.host, port: args.port, env });
  const servers = [...sidecar.holder.current.servers.values()];
  sidecar.log.info({ url: sidecar.url, servers: servers.map((s) => ({ path: s.config.path, tools: s.tools.size })) }, `${NAME} ${VERSION} listening on ${sidecar.url}`);
  const loopback = /^http:\/\/(127\.|\[::1\]|localhost)/.test(sidecar.url);
  for (const s of servers) {
    const endpoint = `${sidecar.url}${s.config.path}`;
    sidecar.log.info(`MCP endpoint ${endpoint} (${s.name}: ${s.tools.size} tools, ${s.config.sessions})`);
    // One line per endpoint saying who protects it, so nobody serves it open, or secured, without knowing.
    if (s.auth || loopback) sidecar.log.info({ server: s.name, issuer: s.auth?.config.issuer }, describeAuth(endpoint, s));
    else sidecar.log.warn({ server: s.name }, describeAuth(endpoint, s));
  }
  installSignals(sidecar);
  return sidecar;
}

/** Starts the demo Tasks API on a free port, then serves config/demo.yaml in front of it. */
export async function runDemo(args: CliArgs, env: NodeJS.ProcessEnv): Promise<Sidecar> {
  const api = await startDemoApi();
  const configFile = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
  const sidecar = await runServe({ ...args, config: configFile }, { ...env, DEMO_API_URL: api.url });
  sidecar.log.info(`demo Tasks API at ${api.url}; try: curl -s ${sidecar.url}/mcp -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`);
  sidecar.server.on('close', () => api.server.close());
  return sidecar;
}

/**
 * Loads the config and builds a snapshot without serving it, runs `use`, and turns any error into
 * its printed problems and exit code 1: what `validate` and `tools` share.
 */
async function withSnapshot(source: ConfigSource, env: NodeJS.ProcessEnv, out: Out, use: (snapshot: Snapshot) => number, opts: { specSecurity: boolean }): Promise<number> {
  const pools = new PoolRegistry();
  try {
    const config = await loadFromSource(source, env);
    if (!opts.specSecurity) withoutSpecSecurity(config);
    const snapshot = await buildSnapshot(config, { pools, generation: 1, version: VERSION });
    try {
      return use(snapshot);
    } finally {
      snapshot.dispose();
    }
  } catch (err) {
    out(formatError(err));
    return 1;
  } finally {
    await pools.closeAll();
  }
}

export async function runValidate(args: CliArgs, env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  const source = resolveConfigSource(args, env);
  return withSnapshot(source, env, out, (snapshot) => {
    let compileErrors = 0;
    for (const rt of snapshot.servers.values()) {
      for (const tool of rt.tools.values()) {
        try {
          tool.validateArgs.compile();
        } catch (err) {
          compileErrors++;
          out(`${rt.name}: tool ${tool.def.name}: inputSchema does not compile: ${(err as Error).message}`);
        }
      }
      out(`${rt.name} (${rt.config.path}): ${rt.tools.size} tools from ${rt.operationCount} operations in ${describeSpec(rt)}`);
      out(`  ${describeAuth(rt.config.path, rt)}`);
      out(`  mode: ${rt.mode} (${rt.modeReason})`);
      for (const w of rt.warnings) out(`  warning: ${w}`);
      for (const line of profileReport([...rt.tools.values()].map((t) => t.def.definition))) out(`  ${line}`);
    }
    if (compileErrors > 0) return 1;
    out(`${describeSource(source)} is valid`);
    return 0;
  }, { specSecurity: true });
}

export async function runTools(args: CliArgs, env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  return withSnapshot(resolveConfigSource(args, env), env, out, (snapshot) => {
    const servers = [...snapshot.servers.values()];
    if (args.json) {
      out(
        JSON.stringify(
          servers.map((rt) => ({
            name: rt.name,
            path: rt.config.path,
            mode: rt.mode,
            modeReason: rt.modeReason,
            tokens: estimateTokens(rt.toolsListBytes.toString()),
            flatTokens: Math.ceil(rt.flatListBytes / 4),
            searchTokens: Math.ceil(rt.searchListBytes / 4),
            tools: [...rt.tools.values()].map((t) => t.def.definition),
          })),
          null,
          2,
        ),
      );
      return 0;
    }
    for (const rt of servers) {
      if (rt.config.overlays.length > 0) out(`${rt.name} ${rt.config.path}: ${describeSpec(rt)}`);
      const tokens = (bytes: number) => Math.ceil(bytes / 4).toLocaleString('en-US');
      out(
        `${rt.name} ${rt.config.path}: ${rt.tools.size} tools, mode ${rt.mode}; tools/list flat ≈ ${tokens(rt.flatListBytes)} tokens (${rt.flatListBytes.toLocaleString('en-US')} bytes), search mode ≈ ${tokens(rt.searchListBytes)} tokens (${rt.searchListBytes.toLocaleString('en-US')} bytes)`,
      );
      for (const t of rt.tools.values()) {
        const hints = Object.entries(t.def.definition.annotations ?? {}).filter(([, v]) => v === true).map(([k]) => k.replace(/Hint$/, ''));
        out(`  ${t.def.name.padEnd(32)} ${t.def.method.padEnd(6)} ${t.def.path}${hints.length ? `  [${hints.join(', ')}]` : ''}`);
      }
    }
    return 0;
  }, { specSecurity: false });
}

/**
 * `tools` lists what a spec offers and stdio has no HTTP auth: neither needs the spec's authorization
 * server (whose discovery would need the network), so neither takes auth or CORS from the spec.
 */
function withoutSpecSecurity(config: Config): Config {
  for (const s of config.servers) s.specSecurity = false;
  return config;
}

/**
 * Per schema profile, how many tools pass that profile's rules after its transform, and the first
 * problems of those that do not: a tool a provider would refuse is found before a client sees it.
 */
export function profileReport(definitions: readonly ToolDefinition[]): string[] {
  const counts: string[] = [];
  const problems: string[] = [];
  for (const profile of SCHEMA_PROFILES) {
    let pass = 0;
    for (const def of definitions) {
      const found = checkProfile(applyProfile(def, profile).definition, profile);
      if (found.length === 0) pass++;
      else if (problems.length < 5) problems.push(`  ${profile}: ${def.name}: ${found.slice(0, 2).join('; ')}`);
    }
    counts.push(`${profile} ${pass}/${definitions.length}`);
  }
  return [`schema profiles (tools passing): ${counts.join(', ')}`, ...problems];
}

/** About 4 bytes of JSON per token: close enough to compare tool sets. */
export function estimateTokens(json: string): number {
  return Math.ceil(json.length / 4);
}

export async function runStdio(args: CliArgs, env: NodeJS.ProcessEnv): Promise<void> {
  const config = withoutSpecSecurity(await loadFromSource(resolveConfigSource(args, env), env));
  const log = createLogger({ ...config.logging, format: 'json' });
  const snapshot = await buildSnapshot(config, { pools: new PoolRegistry(), generation: 1, version: VERSION });
  const servers = [...snapshot.servers.values()];
  const rt = args.server ? servers.find((s) => s.name === args.server) : (snapshot.servers.get('/mcp') ?? (servers.length === 1 ? servers[0] : undefined));
  if (!rt) throw new Error(`choose a server with --server (one of: ${servers.map((s) => s.name).join(', ')})`);
  const { createSdkServer } = await import('../mcp/sdk-server.js');
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = createSdkServer(() => rt, log, { name: NAME, version: VERSION });
  await server.connect(new StdioServerTransport());
}

/** `api.yaml`, or `api.yaml + security.yaml, rename.overlay.yaml` (the files layered on it, in order). */
function describeSpec(rt: ServerRuntime): string {
  const spec = rt.config.spec.kind === 'url' ? rt.config.spec.url : path.basename(rt.config.spec.path);
  return rt.config.overlays.length > 0 ? `${spec} + ${rt.config.overlays.map((f) => path.basename(f)).join(', ')}` : spec;
}

/** Which authorization server protects an endpoint, and where that was said; or that nothing does. */
export function describeAuth(endpoint: string, rt: ServerRuntime): string {
  const auth = rt.auth?.config;
  if (!auth) return `${endpoint} has no auth: anyone who can reach it can call its tools`;
  const from = auth.fromSpec ? `the spec's oauth2 scheme "${auth.fromSpec.scheme}"` : 'the auth block of the config';
  const client = auth.clientId ? `; clients that cannot register use client ID ${auth.clientId}` : '';
  const resource = /^https?:/.test(endpoint) ? `: tokens must be for ${rt.auth!.resource()}` : '';
  return `${endpoint} is protected by the authorization server ${auth.issuer} (from ${from})${resource}${client}`;
}

function describeSource(source: ConfigSource): string {
  return 'configFile' in source ? source.configFile : 'the command line';
}
