import { formatError } from '../errors.js';
import type { Sidecar } from '../sidecar.js';

const DRAIN_MS = Number(process.env.MCP_SIDECAR_DRAIN_MS ?? 10_000);

/**
 * SIGTERM/SIGINT: stop accepting, drain in-flight calls (up to MCP_SIDECAR_DRAIN_MS), exit 0,
 * which is what a container runtime expects from PID 1. SIGHUP: reload the config.
 */
export function installSignals(sidecar: Sidecar): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sidecar.log.info({ signal, inFlight: sidecar.holder.active }, 'shutting down');
    sidecar
      .close(DRAIN_MS)
      .then(() => {
        sidecar.log.info('stopped');
        sidecar.log.flush?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        sidecar.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    sidecar
      .reload()
      .then((s) => sidecar.log.info({ generation: s.generation }, 'config reloaded'))
      .catch((err: unknown) => sidecar.log.error({ error: formatError(err) }, 'reload failed; the previous config keeps serving'));
  });
}
