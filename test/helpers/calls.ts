import type { Test } from 'tap';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { firstText } from './sidecar.js';
import type { RecordedRequest, TestUpstream } from './upstream.js';

/**
 * Tool calls checked against what a recording upstream received: `sent` for a call that must
 * succeed (returns the one request it made), `refused` for one that must be rejected with -32602
 * before anything reaches the upstream.
 */
export function callChecks(client: Client, up: TestUpstream) {
  return {
    async sent(t: Test, name: string, args: Record<string, unknown>): Promise<RecordedRequest> {
      up.requests.length = 0;
      const result = await client.callTool({ name, arguments: args });
      t.notOk(result.isError, `${name} succeeded: ${firstText(result).slice(0, 200)}`);
      t.equal(up.requests.length, 1, 'the upstream received exactly one request');
      return up.requests[0]!;
    },
    async refused(t: Test, name: string, args: Record<string, unknown>, message: RegExp): Promise<void> {
      up.requests.length = 0;
      await t.rejects(client.callTool({ name, arguments: args }), { name: 'McpError', code: ErrorCode.InvalidParams, message });
      t.equal(up.requests.length, 0, 'the upstream received nothing');
    },
  };
}
