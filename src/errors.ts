/**
 * One error type for the whole project. `code` is stable and is what callers branch on;
 * the message is for people. Each family is rendered once, at its edge (see STYLE.md §3).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_RESTART_REQUIRED'
  | 'SPEC_LOAD_FAILED'
  | 'SPEC_INVALID'
  | 'SPEC_REF_FORBIDDEN'
  | 'TOOL_ARGS_INVALID'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_RESPONSE_TOO_LARGE'
  | 'UPSTREAM_REQUEST_INVALID'
  | 'UPSTREAM_FAILED'
  | 'UPSTREAM_CONCURRENCY_LIMIT'
  | 'REQUEST_TOO_LARGE'
  | 'AUTH_INVALID_TOKEN'
  | 'AUTH_INSUFFICIENT_SCOPE'
  /** The token could not be checked for reasons not the client's (the issuer's keys cannot be fetched): 503. */
  | 'AUTH_UNAVAILABLE';

/**
 * How a tool call ended, as metrics, the access log and the audit log label it: `OK`; the upstream
 * answered with an error status; its answer did not match the tool's output schema; or the code of
 * the error that ended the call.
 */
export type CallOutcomeCode = 'OK' | 'UPSTREAM_STATUS' | 'OUTPUT_MISMATCH' | ErrorCode;

export interface Problem {
  /** File the problem is in, when it comes from a file. */
  file?: string;
  line?: number;
  column?: number;
  /** Key path inside the document, e.g. `servers[0].upstream.baseUrl`. */
  path?: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { problems?: Problem[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.problems = opts.problems ?? [];
    this.details = opts.details;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** `file:line:column: path: message`, the form editors and CI logs link to. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const key = p.path ? `${p.path}: ` : '';
  return where ? `${where}: ${key}${p.message}` : `${key}${p.message}`;
}

export function formatError(err: unknown): string {
  if (err instanceof AppError && err.problems.length > 0) {
    return [err.message, ...err.problems.map((p) => `  - ${formatProblem(p)}`)].join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}
