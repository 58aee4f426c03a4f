import { specFiles, type Config, type LoadedConfig } from '../config/index.js';
import { checkNoRestartNeeded } from '../config/restart.js';
import { createFileWatcher, type FileWatcher } from '../config/watch.js';
import { formatError, isAppError, type Problem } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock } from '../util/clock.js';
import { fingerprintFiles } from './fingerprint.js';
import type { SnapshotHolder } from './holder.js';
import { Reloader, type ReloadResult } from './reloader.js';
import type { Snapshot } from './snapshot.js';
import { createSpecRefresher } from './spec-refresh.js';

export interface LastReload {
  at: string;
  reason: string;
  result: ReloadResult | 'failure';
  error?: string;
  problems?: Problem[];
}

export interface ReloadDeps {
  holder: SnapshotHolder;
  /** The config the sidecar started with: start-up-only settings may not differ from it. */
  started: Config;
  /** Reads the config (and the hash of its text) afresh. */
  load(): Promise<LoadedConfig>;
  /** Builds a snapshot numbered `generation` (all or nothing). */
  build(loaded: LoadedConfig, generation: number): Promise<Snapshot>;
  log: Logger;
  /** Watch the config's and specs' files (a config file was given and reload.watch is on). */
  watch: boolean;
  /** Runs right after a swap, before clients are told (metrics, warnings, the log level). */
  swapped(next: Snapshot): void;
  /** Tells the open sessions of the server at `path` that its tool list changed. */
  notifyToolsChanged(path: string): Promise<void> | undefined;
  /** A scheduled reload's result (metrics). */
  counted(result: ReloadResult | 'failure'): void;
  clock?: Clock;
}

export interface ReloadController {
  /**
   * Rebuilds from the config file; the old snapshot keeps serving if anything fails (it throws).
   * Skips the build when no file changed, unless `force`.
   */
  reload(opts?: { force?: boolean; reason?: string }): Promise<Snapshot>;
  /** Queues a debounced reload (SIGHUP, file events); never overlaps another reload. */
  trigger(reason: string): void;
  /** Resolves when no triggered reload is running or queued. */
  idle(): Promise<void>;
  last(): LastReload | undefined;
  close(): void;
}

/**
 * Hot reload: load → refuse start-up-only changes → build → swap → follow the new files → tell
 * sessions whose tools changed. Triggers (file events, SIGHUP, a changed remote spec) go through
 * one Reloader, so builds never overlap and a burst of edits folds into one follow-up.
 */
export function createReloadController(deps: ReloadDeps): ReloadController {
  const { holder, log } = deps;
  let watcher: FileWatcher | undefined;
  let last: LastReload | undefined;

  const reload = async ({ force = false, reason = 'requested' } = {}): Promise<Snapshot> => {
    const current = holder.current;
    const fingerprint = await current.fingerprint;
    if (!force && fingerprint && (await fingerprintFiles(current.files)) === fingerprint) return current;
    const loaded = await deps.load();
    // Watch the specs this config names before building it: if one is missing and the build fails,
    // its appearance must still trigger the reload that fixes it.
    watcher?.update([...new Set([...current.files, ...localSpecs(loaded.config)])]);
    checkNoRestartNeeded(deps.started, loaded.config);
    const next = await deps.build(loaded, current.generation + 1);
    holder.swap(next);
    watcher?.update(next.files);
    deps.swapped(next);
    log.info({ generation: next.generation, reason, servers: [...next.servers.values()].map((s) => ({ name: s.name, tools: s.tools.size })) }, 'config reloaded');
    await notifyChangedTools(current, next);
    return next;
  };

  const notifyChangedTools = async (prev: Snapshot, next: Snapshot): Promise<void> => {
    for (const [path, rt] of next.servers) {
      const before = prev.servers.get(path)?.toolsListBytes;
      if (!before || !before.equals(rt.toolsListBytes)) await deps.notifyToolsChanged(path);
    }
  };

  const reloader = new Reloader(
    async (reason) => {
      const before = holder.current;
      const after = await reload({ reason, force: reason === 'SIGHUP' || reason === 'remote spec changed' });
      return after === before ? 'unchanged' : 'success';
    },
    deps.started.reload.debounceMs,
    (reason, result) => {
      const at = new Date().toISOString();
      if (result instanceof Error) {
        last = { at, reason, result: 'failure', error: result.message, ...(isAppError(result) && result.problems.length ? { problems: result.problems } : {}) };
        deps.counted('failure');
        log.error({ reason, error: formatError(result) }, 'reload failed; the previous config keeps serving');
      } else {
        last = { at, reason, result };
        deps.counted(result);
      }
    },
    deps.clock,
  );
  if (deps.watch) {
    watcher = createFileWatcher(holder.current.files, () => reloader.trigger('file changed'), (err) => log.warn({ err: err.message }, 'file watch error; retrying'), deps.clock);
  }
  const refresher = createSpecRefresher(() => holder.current, deps.started.reload.specRefreshMs, () => reloader.trigger('remote spec changed'), log);

  return {
    reload,
    trigger: (reason) => reloader.trigger(reason),
    idle: () => reloader.idle(),
    last: () => last,
    close() {
      reloader.close();
      watcher?.close();
      refresher.close();
    },
  };
}

/** The spec files (not URLs) a config names. */
function localSpecs(config: Config): string[] {
  return specFiles(config.servers.map((s) => s.spec));
}
