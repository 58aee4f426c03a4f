import type { Logger } from '../log.js';
import { fetchConditional } from '../util/fetch.js';
import type { Snapshot } from './snapshot.js';

/**
 * Re-fetches remote spec URLs every `intervalMs` with conditional GETs (cheap when unchanged)
 * and calls `onChange` when one changed. Local files are watched instead.
 */
export function createSpecRefresher(current: () => Snapshot, intervalMs: number, onChange: () => void, log: Logger): { close(): void } {
  if (intervalMs <= 0) return { close() {} };
  const timer = setInterval(() => {
    const urls = [...current().servers.values()].flatMap(({ config: { spec } }) => (spec.kind === 'url' ? [spec.url] : []));
    void Promise.all(
      urls.map((url) =>
        fetchConditional(url, { timeoutMs: 30_000, maxBytes: 64 * 1024 * 1024 }).then(
          (r) => r.changed,
          (err: unknown) => {
            log.warn({ url, error: (err as Error).message }, 'remote spec refresh failed; keeping the loaded one');
            return false;
          },
        ),
      ),
    ).then((changed) => {
      if (changed.some(Boolean)) onChange();
    });
  }, intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
