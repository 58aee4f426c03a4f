import type { Pool } from 'undici';
import { isAppError, type CallOutcomeCode } from '../errors.js';
import type { ToolDef } from '../openapi/tool.js';
import { buildRequest, type BaseUrl } from './request.js';
import { classifyFailure, failureResult, toToolResult, type CallToolResult } from './response.js';
import { sendRequest } from './send.js';

export interface UpstreamTarget {
  base: BaseUrl;
  pool: Pool;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface CallOutcome {
  result: CallToolResult;
  /** Upstream HTTP status, or 0 when no response arrived. */
  status: number;
  /** Stable code for metrics and logs: OK, UPSTREAM_STATUS, UPSTREAM_TIMEOUT, … */
  outcome: CallOutcomeCode;
  /** The upstream answered with no body (e.g. 204). */
  emptyBody?: boolean;
}

/**
 * Sends one tool call upstream. Every failure after validation ends as an `isError` result;
 * only argument problems found while encoding (TOOL_ARGS_INVALID) are thrown, to become -32602.
 */
export async function callUpstream(tool: ToolDef, target: UpstreamTarget, args: Record<string, unknown>, extraHeaders?: Record<string, string>): Promise<CallOutcome> {
  const req = buildRequest(tool.binding, target.base, args, target.headers, extraHeaders);
  try {
    const res = await sendRequest(target.pool, req, target.timeoutMs, target.maxResponseBytes);
    const result = toToolResult(res.status, res.contentType, res.body, `${req.origin}${req.path}`);
    return { result, status: res.status, outcome: result.isError ? 'UPSTREAM_STATUS' : 'OK', emptyBody: res.body.length === 0 };
  } catch (err) {
    if (isAppError(err, 'TOOL_ARGS_INVALID')) throw err;
    const label = `${req.method} ${req.path.split('?', 1)[0]}`;
    return { result: failureResult(err, label, target.timeoutMs), status: 0, outcome: classifyFailure(err) };
  }
}
