import type { AddressInfo } from 'node:net';
import { AuditLog, createAuthShared } from './auth/index.js';
import { loadConfig, type Config } from './config/index.js';
import { createFileWatcher, type FileWatcher } from './config/watch.js';
import { AppError, formatError, isAppError, type Problem } from './errors.js';
import { Metrics } from './http/metrics.js';
import { createHttpServer, type SidecarHttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { buildSnapshot, SnapshotHolder, type Snapshot } from './runtime/index.js';
import { combineHashes, fingerprintFiles } from './runtime/fingerprint.js';
import { Reloader, type ReloadResult } from './runtime/reloader.js';
import { createSpecRefresher } from './runtime/spec-refresh.js';
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

export interface LastReload {
  at: string;
  reason: string;
  result: ReloadResult | 'failure';
  error?: string;
  problems?: Problem[];
}

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
  const load = async (): Promise<{ config: Config; hash: string }> => {
    if (opts.configFile) return loadConfig(opts.configFile, env);
    if (opts.config) return { config: opts.config, hash: '' };
    throw new AppError('CONFIG_INVALID', 'no configuration given');
  };
  const loaded = await load();
  const config = loaded.config;
  const log = opts.log ?? createLogger(config.logging);
  const pools = new PoolRegistry();
  const metrics = new Metrics();
  const authShared = createAuthShared();
  const audit = opts.audit ?? new AuditLog(config.audit);
  let publicBase = config.publicUrl ?? `http://${opts.host ?? config.listen.host}:${opts.port ?? config.listen.port}`;
  // The generation a successful build gets: a failed one does not use a number up.
  const deps = () => ({ pools, generation: generation + 1, version: VERSION, auth: authShared, publicBase: () => publicBase });
  let generation = 0;
  /**
   * Builds a snapshot and stamps it with the hashes of exactly what it was built from (the config's
   * text and each spec file as the loader read it), so an edit made during the build is never
   * mistaken for "unchanged" by the next reload.
   */
  const stamp = async (snapshot: Snapshot, hash: string): Promise<void> => {
    if (hash && snapshot.config.file && snapshot.specHashes) {
      snapshot.fingerprint = combineHashes(new Map([...(await snapshot.specHashes()), [snapshot.config.file, hash]]));
    }
  };
  const build = async ({ config: c, hash }: { config: Config; hash: string }): Promise<Snapshot> => {
    const snapshot = await buildSnapshot(c, deps());
    await stamp(snapshot, hash);
    return snapshot;
  };
  const first = await buildSnapshot(config, deps()).catch(async (err: unknown) => {
    await pools.closeAll();
    throw err;
  });
  generation = first.generation;
  const holder = new SnapshotHolder(first);
  const announce = (s: Snapshot) => {
    metrics.snapshot(s.generation, new Map([...s.servers.values()].map((rt) => [rt.name, rt.tools.size])));
    for (const rt of s.servers.values()) {
      for (const w of rt.warnings) log.warn({ server: rt.name }, w);
    }
  };
  announce(first);

  let last: LastReload | undefined;
  const limiter = new ConcurrencyLimiter(config.limits.maxConcurrentUpstream, Math.max(...config.servers.map((s) => s.upstream.timeoutMs)));
  const server = createHttpServer({
    holder,
    log,
    metrics,
    limiter,
    audit,
    identity: { name: NAME, version: VERSION },
    readiness: () => (last ? { lastReload: last } : {}),
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

  let watcher: FileWatcher | undefined;
  const reload = async ({ force = false, reason = 'requested' } = {}): Promise<Snapshot> => {
    await firstStamped;
    const current = holder.current;
    if (!force && current.fingerprint && (await fingerprintFiles(current.files)) === current.fingerprint) {
      return current;
    }
    const nextLoaded = await load();
    const next = nextLoaded.config;
    // Watch the specs this config names before building it: if one is missing and the build fails,
    // its appearance must still trigger the reload that fixes it.
    watcher?.update([...new Set([...current.files, ...next.servers.map((s) => s.spec).filter((f) => !/^https?:\/\//i.test(f))])]);
    const restart = startupOnlyChanges(config, next);
    if (restart.length > 0) {
      throw new AppError('CONFIG_RESTART_REQUIRED', `${restart.join(', ')}: restart the sidecar to apply ${restart.length > 1 ? 'them' : 'it'}`);
    }
    const snapshot = await build(nextLoaded);
    generation = snapshot.generation;
    holder.swap(snapshot);
    if (!opts.log) log.level = next.logging.level;
    watcher?.update(snapshot.files);
    announce(snapshot);
    log.info({ generation: snapshot.generation, reason, servers: [...snapshot.servers.values()].map((s) => ({ name: s.name, tools: s.tools.size })) }, 'config reloaded');
    await notifyChangedTools(current, snapshot);
    return snapshot;
  };

  const notifyChangedTools = async (prev: Snapshot, next: Snapshot) => {
    for (const [path, rt] of next.servers) {
      const before = prev.servers.get(path)?.toolsListBytes;
      if (!before || !before.equals(rt.toolsListBytes)) await server.sessions.get(path)?.notifyToolsChanged();
    }
  };

  const reloader = new Reloader(
    async (reason) => {
      const before = holder.current;
      const after = await reload({ reason, force: reason === 'SIGHUP' || reason === 'remote spec changed' });
      return after === before ? 'unchanged' : 'success';
    },
    config.reload.debounceMs,
    (reason, result) => {
      const at = new Date().toISOString();
      if (result instanceof Error) {
        last = { at, reason, result: 'failure', error: result.message, ...(isAppError(result) && result.problems.length ? { problems: result.problems } : {}) };
        metrics.reload('failure');
        log.error({ reason, error: formatError(result) }, 'reload failed; the previous config keeps serving');
      } else {
        last = { at, reason, result };
        metrics.reload(result);
      }
    },
  );
  if (opts.configFile && config.reload.watch) {
    watcher = createFileWatcher(first.files, () => reloader.trigger('file changed'), (err) => log.warn({ err: err.message }, 'file watch error; retrying'));
  }
  // Once serving: the first snapshot's fingerprint (from the spec hashes taken as each file was read),
  // and the argument validator's library, so the first tool call does not load it.
  const firstStamped = new Promise<void>((resolve) =>
    setImmediate(() => {
      warmUpValidators();
      void stamp(first, loaded.hash).finally(resolve);
    }),
  );
  const refresher = createSpecRefresher(() => holder.current, config.reload.specRefreshMs, () => reloader.trigger('remote spec changed'), log);

  const close = async (graceMs = holder.current.config.limits.shutdownGraceMs): Promise<void> => {
    reloader.close();
    watcher?.close();
    refresher.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (holder.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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
    reload: (o) => reload(o),
    reloadsSettled: () => reloader.idle(),
    lastReload: () => last,
    close,
    requestReload: (reason) => reloader.trigger(reason),
  };
}

/**
 * Settings read once at start-up. A reload that changes one fails and says so, rather than
 * reporting success for a change that would only apply after a restart.
 */
function startupOnlyChanges(prev: Config, next: Config): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changed: string[] = [];
  if (!same(prev.listen, next.listen)) changed.push(`listen changed (${prev.listen.host}:${prev.listen.port} → ${next.listen.host}:${next.listen.port})`);
  if (prev.logging.format !== next.logging.format) changed.push('logging.format changed');
  if (!same(prev.audit, next.audit)) changed.push('audit changed');
  if (!same(prev.reload, next.reload)) changed.push('reload changed');
  if (prev.limits.maxConcurrentUpstream !== next.limits.maxConcurrentUpstream) changed.push('limits.maxConcurrentUpstream changed');
  return changed;
}
