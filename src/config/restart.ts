import { AppError } from '../errors.js';
import type { Config } from './types.js';

/**
 * Settings read once at start-up. A reload that changes one fails and says so, rather than
 * reporting success for a change that would only apply after a restart.
 */
export function startupOnlyChanges(prev: Config, next: Config): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changed: string[] = [];
  if (!same(prev.listen, next.listen)) changed.push(`listen changed (${prev.listen.host}:${prev.listen.port} → ${next.listen.host}:${next.listen.port})`);
  if (prev.logging.format !== next.logging.format) changed.push('logging.format changed');
  if (!same(prev.audit, next.audit)) changed.push('audit changed');
  if (!same(prev.reload, next.reload)) changed.push('reload changed');
  if (prev.limits.maxConcurrentUpstream !== next.limits.maxConcurrentUpstream) changed.push('limits.maxConcurrentUpstream changed');
  for (const k of ['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'maxConnections'] as const) if (prev.limits[k] !== next.limits[k]) changed.push(`limits.${k.replace(/Ms$/, '')} changed`);
  return changed;
}

/** Throws CONFIG_RESTART_REQUIRED naming every start-up-only setting `next` changes. */
export function checkNoRestartNeeded(prev: Config, next: Config): void {
  const restart = startupOnlyChanges(prev, next);
  if (restart.length > 0) {
    throw new AppError('CONFIG_RESTART_REQUIRED', `${restart.join(', ')}: restart the sidecar to apply ${restart.length > 1 ? 'them' : 'it'}`);
  }
}
