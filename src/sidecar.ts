import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from './config/index.js';
import { AppError } from './errors.js';
import { createHttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { buildSnapshot, SnapshotHolder, type Snapshot } from './runtime/index.js';
import { PoolRegistry } from './upstream/index.js';
import { NAME, VERSION } from './version.js';

export interface SidecarOptions {
  /** A config file to load, or an already compiled config. */
  configFile?: string;
  config?: Config;
  /** Overrides listen.host / listen.port (CLI flags, tests on port 0). */
  host?: string;
  port?: number;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface Sidecar {
  server: Server;
  holder: SnapshotHolder;
  log: Logger;
  /** `http://host:port` actually bound. */
  url: string;
  /** Rebuilds from the config file; the old snapshot keeps serving if anything fails. */
  reload(): Promise<Snapshot>;
  /** Stops accepting, lets in-flight requests finish up to `graceMs`, then closes pools. */
  close(graceMs?: number): Promise<void>;
}

export async function startSidecar(opts: SidecarOptions): Promise<Sidecar> {
  const env = opts.env ?? process.env;
  const load = async (): Promise<Config> => {
    if (opts.configFile) return (await loadConfig(opts.configFile, env)).config;
    if (opts.config) return opts.config;
    throw new AppError('CONFIG_INVALID', 'no configuration given');
  };
  const config = await load();
  const log = opts.log ?? createLogger(config.logging);
  const pools = new PoolRegistry();
  let generation = 1;
  const first = await buildSnapshot(config, { pools, generation, version: VERSION }).catch(async (err: unknown) => {
    await pools.closeAll();
    throw err;
  });
  const holder = new SnapshotHolder(first);
  for (const rt of first.servers.values()) for (const w of rt.warnings) log.warn({ server: rt.name }, w);

  const server = createHttpServer({ holder, log, identity: { name: NAME, version: VERSION } });
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

  const reload = async (): Promise<Snapshot> => {
    const next = await load();
    if (next.listen.host !== config.listen.host || next.listen.port !== config.listen.port) {
      throw new AppError('CONFIG_RESTART_REQUIRED', `listen changed (${config.listen.host}:${config.listen.port} → ${next.listen.host}:${next.listen.port}): restart the sidecar to apply it`);
    }
    const snapshot = await buildSnapshot(next, { pools, generation: ++generation, version: VERSION });
    holder.swap(snapshot);
    await Promise.all([...server.sessions.values()].map((m) => m.notifyToolsChanged()));
    return snapshot;
  };

  const close = async (graceMs = 10_000): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (holder.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([...server.sessions.values()].map((m) => m.closeAll()));
    server.closeAllConnections();
    await closed;
    holder.current.dispose();
    await pools.closeAll();
  };

  return { server, holder, log, url, reload, close };
}
