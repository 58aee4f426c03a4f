import type { ServerResponse } from 'node:http';
import { META_SUBSCRIPTION_ID } from './era2026.js';
import type { JsonRpcId } from './protocol.js';

interface Listener {
  id: JsonRpcId;
  res: ServerResponse;
}

/**
 * 2026-07-28 `subscriptions/listen` streams of the stateless endpoints, by endpoint path. No session:
 * a stream is one open POST response; it ends when the client closes it or the sidecar shuts down.
 * The only notification an OpenAPI proxy has to give is `notifications/tools/list_changed` (after a
 * reload that changed a server's tools); each carries its stream's subscription id, the JSON-RPC id
 * of the listen request (basic/patterns/subscriptions.mdx).
 */
export class ListenRegistry {
  private readonly byPath = new Map<string, Set<Listener>>();

  get size(): number {
    let n = 0;
    for (const set of this.byPath.values()) n += set.size;
    return n;
  }

  /**
   * Opens the stream and acknowledges it: the first message names the subset of the requested
   * notifications the server will send (here, at most toolsListChanged). Returns at once; the
   * response stays open in the registry.
   */
  open(path: string, id: JsonRpcId, requested: Record<string, unknown>, res: ServerResponse): void {
    const honoured = requested.toolsListChanged === true ? { toolsListChanged: true } : {};
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    write(res, { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [META_SUBSCRIPTION_ID]: id }, notifications: honoured } });
    if (!honoured.toolsListChanged) {
      // Nothing this server could ever send on it: end it gracefully rather than hold a socket open.
      end(res, id);
      return;
    }
    let set = this.byPath.get(path);
    if (!set) this.byPath.set(path, (set = new Set()));
    const listener: Listener = { id, res };
    set.add(listener);
    res.on('close', () => {
      set.delete(listener);
      if (set.size === 0 && this.byPath.get(path) === set) this.byPath.delete(path);
    });
  }

  /** Tells every stream on the server at `path` that its tool list changed. */
  notifyToolsChanged(path: string): void {
    for (const l of this.byPath.get(path) ?? []) {
      write(l.res, { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [META_SUBSCRIPTION_ID]: l.id } } });
    }
  }

  /** Ends every stream with the listen request's result: a graceful close, not a dropped connection. */
  closeAll(): void {
    for (const set of this.byPath.values()) for (const l of set) end(l.res, l.id);
    this.byPath.clear();
  }
}

function write(res: ServerResponse, message: object): void {
  if (!res.writableEnded) res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

function end(res: ServerResponse, id: JsonRpcId): void {
  write(res, { jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: { [META_SUBSCRIPTION_ID]: id } } });
  if (!res.writableEnded) res.end();
}
