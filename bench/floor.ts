// The floor for one extra hop: a bare node:http JSON-RPC endpoint that answers `tools/call getItem`
// with one undici request upstream, and nothing else (no validation, auth, logs or metrics).
// The sidecar's figures are read against it. Prints its port on stdout.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2]!, { connections: 128, pipelining: 1 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; params: { arguments: { id: number } } };
      const up = await pool.request({ path: `/items/${encodeURIComponent(msg.params.arguments.id)}`, method: 'GET' });
      const text = await up.body.text();
      const body = `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
