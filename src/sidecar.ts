import type { AddressInfo } from 'node:net';
import { AuditLog, createAuthShared } from './auth/index.js';
import { loadConfig, type Config, type LoadedConfig } from './config/index.js';
import { AppError } from './errors.js';
import { Metrics } from './http/metrics.js';
import { createHttpServer, type SidecarHttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { buildSnapshot, SnapshotHolder, type Snapshot } from './runtime/index.js';
import { createReloadController, type LastReload, type ReloadController } from './runtime/reload.js';
import { ConcurrencyLimiter } from './upstream/limiter.js';
import { PoolRegistry } from './upstream/index.js';
import { NAME, VERSION } from './version.js';
import { warmUpValidators } from './runtime/validators.js';

export interface SidecarOptions {
  /** A config file to load (watched for changes), or an already compiled config. */
  configFile?: string;
  config?: Config;
  /** Overrides listen.host / listen.port (CLI flags, tests on port 0). */
  host?: string;
  port?: number;
  log?: Logger;
  /** Default: from config.audit. */
  audit?: AuditLog;
  env?: NodeJS.ProcessEnv;
}

export type { LastReload };

export interface Sidecar {
  server: SidecarHttpServer;
  holder: SnapshotHolder;
  log: Logger;
  metrics: Metrics;
  /** `http://host:port` actually bound. */
  url: string;
  /**
   * Rebuilds from the config file; the old snapshot keeps serving if anything fails (it throws).
   * Skips the build when no file changed, unless `force`.
   */
  reload(opts?: { force?: boolean; reason?: string }): Promise<Snapshot>;
  /** Queues a debounced reload (SIGHUP, file events); never overlaps another reload. */
  requestReload(reason: string): void;
  /** Resolves when watch-triggered reloads have settled (tests). */
  reloadsSettled(): Promise<void>;
  lastReload(): LastReload | undefined;
  /** Stops accepting, lets in-flight requests finish up to `graceMs`, then closes pools. */
  close(graceMs?: number): Promise<void>;
}

export async function startSidecar(opts: SidecarOptions): Promise<Sidecar> {
  const env = opts.env ?? process.env;
  // The config with the hash of the text it was parsed from ('' when given in memory).
  const load = async (): Promise<LoadedConfig> => {
    if (opts.configFile) return loadConfig(opts.configFile, env);
    if (opts.config) return { config: opts.config, hash: '' };
    throw new AppError('CONFIG_INVALID', 'no configuration given');
  };
  const loaded = await load();
  const config = loaded.config;
  const log = opts.log ?? createLogger(config.logging);
  const pools = new PoolRegistry();
  const metrics = new Metrics();
  const authShared = createAuthShared({ jwks: { log, onFailure: () => metrics.jwksFetchFailure() } });
  const audit = opts.audit ?? new AuditLog(config.audit);
  let publicBase = config.publicUrl ?? `http://${opts.host ?? config.listen.host}:${opts.port ?? config.listen.port}`;
  const build = ({ config: c, hash }: LoadedConfig, generation: number): Promise<Snapshot> =>
    buildSnapshot(c, { pools, generation, version: VERSION, auth: authShared, publicBase: () => publicBase, configHash: hash });
  const first = await build(loaded, 1).catch(async (err: unknown) => {
    await pools.closeAll();
    throw err;
  });
  const holder = new SnapshotHolder(first);
  const announce = (s: Snapshot) => {
    metrics.snapshot(s.generation, new Map([...s.servers.values()].map((rt) => [rt.name, rt.tools.size])));
    for (const rt of s.servers.values()) {
      for (const w of rt.warnings) log.warn({ server: rt.name }, w);
    }
  };
  announce(first);

  let reloads: ReloadController | undefined;
  const limiter = new ConcurrencyLimiter(config.limits.maxConcurrentUpstream, Math.max(...config.servers.map((s) => s.upstream.timeoutMs)));
  const server = createHttpServer({
    holder,
    log,
    metrics,
    limiter,
    audit,
    identity: { name: NAME, version: VERSION },
    readiness: () => {
      const last = reloads?.last();
      return last ? { lastReload: last } : {};
    },
  });
  const host = opts.host ?? config.listen.host;
  const port = opts.port ?? config.listen.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  if (!config.publicUrl) {
    publicBase = url;
    const unspecified = addr.address === '0.0.0.0' || addr.address === '::';
    if (unspecified && config.servers.some((s) => s.auth && !s.auth.resource)) {
      log.warn('auth is on but publicUrl is not set: resource URIs use the bound address; set publicUrl to the URL clients use');
    }
  }

  reloads = createReloadController({
    holder,
    started: config,
    load,
    build,
    log,
    watch: Boolean(opts.configFile && config.reload.watch),
    swapped: (next) => {
      if (!opts.log) log.level = next.config.logging.level;
      announce(next);
    },
    notifyToolsChanged: (path) => {
      server.listeners.notifyToolsChanged(path);
      return server.sessions.get(path)?.notifyToolsChanged();
    },
    counted: (result) => metrics.reload(result),
  });
  // Once serving: load the argument validator's library, so the first tool call does not.
  setImmediate(warmUpValidators);

  const close = async (graceMs = holder.current.config.limits.shutdownGraceMs): Promise<void> => {
    reloads.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    server.listeners.closeAll();
    await holder.drained(graceMs);
    await Promise.all([...server.sessions.values()].map((m) => m.closeAll()));
    server.closeAllConnections();
    await closed;
    holder.current.dispose();
    await pools.closeAll();
    audit.flush();
  };

  return {
    server,
    holder,
    log,
    metrics,
    url,
    reload: (o) => reloads.reload(o),
    reloadsSettled: () => reloads.idle(),
    lastReload: () => reloads.last(),
    close,
    requestReload: (reason) => reloads.trigger(reason),
  };
}
