import pino, { type Logger } from '../util/pino.js';
import { REDACT_PATHS, bufferedDestination } from '../log.js';
import type { Principal } from './types.js';

export interface AuditTarget {
  enabled: boolean;
  /** Append to this file; default: stdout (stderr when stdout carries MCP, as with stdio). */
  file: string | undefined;
}

/**
 * Who did what, as JSON lines: authentication results with their reason, and tool calls with the
 * caller's sub and org. Tokens never appear: only claims are written.
 */
export class AuditLog {
  private readonly out: Logger | undefined;

  constructor(target: AuditTarget, opts: { stdoutIsProtocol?: boolean } = {}) {
    if (!target.enabled) return;
    const dest = bufferedDestination(target.file ? { dest: target.file } : { fd: opts.stdoutIsProtocol ? 2 : 1 });
    this.out = pino({ base: { log: 'audit' }, timestamp: pino.stdTimeFunctions.isoTime, redact: REDACT_PATHS, formatters: { level: (label) => ({ level: label }) } }, dest);
  }

  authFailure(server: string, reason: string, requestId: string): void {
    this.out?.info({ event: 'auth', result: 'failure', server, reason, requestId });
  }

  authSuccess(server: string, p: Principal, requestId: string): void {
    this.out?.info({ event: 'auth', result: 'success', server, sub: p.sub, orgId: p.orgId, clientId: p.clientId, requestId });
  }

  toolCall(e: { server: string; tool: string; principal: Principal | undefined; status: number; outcome: string; ms: number; requestId: string }): void {
    this.out?.info({ event: 'tool_call', server: e.server, tool: e.tool, sub: e.principal?.sub, orgId: e.principal?.orgId, status: e.status, outcome: e.outcome, ms: e.ms, requestId: e.requestId });
  }

  flush(): void {
    this.out?.flush();
  }
}
