import pino, { type Logger } from './util/pino.js';
import type { LogLevel } from './config/types.js';
import { systemClock, type Clock } from './util/clock.js';

export type { Logger };

/** Paths whose values never reach a log line, whatever a caller passes in. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  'accessToken',
  'clientSecret',
  'upstreamHeaders',
];

/** JSON lines to stderr (stdout stays free for stdio MCP and for command output). */
export function createLogger(opts: { level: LogLevel; format: 'json' | 'pretty' }): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'mcp-sidecar' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.format === 'pretty' ? prettyStream() : bufferedDestination({ fd: 2 }),
  );
}

/** A small human-readable stream for terminals: `12:00:00 INFO message key=value`. */
function prettyStream(): { write(line: string): void } {
  return {
    write(line: string) {
      const { time, level, msg, service: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const extra = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      process.stderr.write(`${String(time).slice(11, 19)} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? '')}${extra ? ` ${extra}` : ''}\n`);
    },
  };
}

export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * An async destination that writes in batches of about 4 kB instead of one syscall per line (a
 * write per tool call costs more than the rest of the call's logging), flushed at least every 250 ms
 * so a quiet sidecar's lines still appear promptly — and only when a line came in: a flush of
 * nothing is still a write on the thread pool, four a second for as long as the sidecar idles.
 */
export function bufferedDestination(target: { fd: number } | { dest: string }, clock: Clock = systemClock): ReturnType<typeof pino.destination> {
  const dest = pino.destination({ ...target, sync: false, minLength: 4096, ...('dest' in target ? { append: true, mkdir: true } : {}) });
  let written = false;
  const write = dest.write.bind(dest);
  dest.write = (line: string) => {
    written = true;
    return write(line);
  };
  const timer = clock.setInterval(() => {
    if (!written) return;
    written = false;
    try {
      dest.flush();
    } catch {
      // not ready yet (opening a file) or already closed
    }
  }, 250);
  timer.unref();
  return dest;
}
