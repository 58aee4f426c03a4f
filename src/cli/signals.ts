import type { Sidecar } from '../sidecar.js';

/**
 * SIGTERM/SIGINT: stop accepting, drain in-flight calls (up to limits.shutdownGrace), exit 0,
 * which is what a container runtime expects from PID 1. SIGHUP: reload the config.
 */
export function installSignals(sidecar: Sidecar): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sidecar.log.info({ signal, inFlight: sidecar.holder.active }, 'shutting down');
    sidecar
      .close()
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
  process.on('SIGHUP', () => sidecar.requestReload('SIGHUP'));
}
