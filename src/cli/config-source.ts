import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { compileConfig } from '../config/load.js';
import { AppError } from '../errors.js';
import type { CliArgs } from './args.js';
import { resolveSpecArgs } from './spec-args.js';

export type ConfigSource = { configFile: string } | { config: Config };

/** `-c file`, else `serve <spec>` as a one-server config, else $MCP_SIDECAR_CONFIG or ./config.yaml. */
export function resolveConfigSource(args: CliArgs, env: NodeJS.ProcessEnv): ConfigSource {
  if (args.config) {
    if (args.files.length > 0) throw new AppError('CONFIG_INVALID', '-f is for serving a spec without a config file; with --config, list the files under servers[].overlays');
    return { configFile: path.resolve(args.config) };
  }
  if (args.spec) {
    const s = args.name !== undefined ? { spec: args.spec, name: args.name, overlays: args.files } : resolveSpecArgs(args.spec, undefined, args.files, env);
    return { config: configFromSpec(s.spec, args.baseUrl, s.name, s.overlays) };
  }
  const file = env.MCP_SIDECAR_CONFIG ?? 'config.yaml';
  if (!existsSync(file)) {
    throw new AppError('CONFIG_INVALID', `no config file at ${path.resolve(file)}: pass --config <file>, or a spec (mcp-sidecar serve ./openapi.yaml --base-url http://127.0.0.1:3000)`);
  }
  return { configFile: path.resolve(file) };
}

/** `env` expands the file's ${VAR}s: the same environment the command was given, not always process.env. */
export async function loadFromSource(source: ConfigSource, env: NodeJS.ProcessEnv): Promise<Config> {
  return 'config' in source ? source.config : (await loadConfig(source.configFile, env)).config;
}

/** One server at /mcp that takes its OAuth and CORS from the (layered) spec, as HAPI does. */
function configFromSpec(spec: string, baseUrl: string | undefined, name: string | undefined, overlays: readonly string[] = []): Config {
  const safeName = name?.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+/, '').slice(0, 63) || undefined;
  const raw = {
    servers: [{ path: '/mcp', spec, ...(safeName ? { name: safeName } : {}), ...(baseUrl ? { upstream: { baseUrl } } : {}), ...(overlays.length ? { overlays: [...overlays] } : {}) }],
  };
  const { config, problems } = compileConfig(raw, path.join(process.cwd(), '(command line)'), (segments, message) => ({ path: segments.join('.'), message }));
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', 'invalid command line', { problems });
  for (const s of config.servers) s.specSecurity = true;
  return config;
}
