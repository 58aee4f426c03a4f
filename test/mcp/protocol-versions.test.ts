import t from 'tap';
import * as sdk from '@modelcontextprotocol/sdk/types.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, negotiateVersion } from '../../src/mcp/protocol.js';

t.test('the protocol revisions are exactly the MCP SDK’s, newest first', async (t) => {
  t.same([...SUPPORTED_PROTOCOL_VERSIONS], [...sdk.SUPPORTED_PROTOCOL_VERSIONS]);
  t.equal(LATEST_PROTOCOL_VERSION, sdk.LATEST_PROTOCOL_VERSION);
});

t.test('a supported requested version is kept, anything else gets the latest', async (t) => {
  t.equal(negotiateVersion('2025-03-26'), '2025-03-26');
  t.equal(negotiateVersion('2030-01-01'), LATEST_PROTOCOL_VERSION);
  t.equal(negotiateVersion(undefined), LATEST_PROTOCOL_VERSION);
});
