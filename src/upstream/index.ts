export { callUpstream, type CallOutcome, type UpstreamTarget } from './call.js';
export { PoolRegistry } from './pools.js';
export { parseBaseUrl, buildRequest, type BaseUrl, type UpstreamRequest } from './request.js';
export type { CallToolResult, Content } from './response.js';
