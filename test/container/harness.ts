/**
 * Host-side helpers for test/container/run.sh, run with `node --import tsx test/container/harness.ts <command>`:
 *
 *   upstream <port>                          the demo Tasks API on 127.0.0.1:<port> until killed
 *   call <mcpUrl> <apiUrl>                   the real MCP SDK client: list tools, call createTask, then
 *                                            read the task back from the API itself; prints JSON
 *   wait-tools <mcpUrl> <absent> <timeoutMs> lists tools (new session each time) until <absent> is gone
 *
 * Not a tap test: run without a command (as `tap` does), it reports itself skipped.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startDemoApi } from '../../src/demo/api.js';

const [command, ...args] = process.argv.slice(2);

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'mcp-sidecar-container-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)), { timeout: 10_000 });
  return client;
}

async function toolNames(url: string): Promise<string[]> {
  const client = await connect(url);
  try {
    return (await client.listTools(undefined, { timeout: 10_000 })).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  switch (command) {
    case 'upstream': {
      const api = await startDemoApi('127.0.0.1', Number(args[0]));
      process.stdout.write(`${api.url}\n`);
      const stop = () => api.server.close(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return;
    }
    case 'call': {
      const [mcpUrl, apiUrl] = args as [string, string];
      const client = await connect(mcpUrl);
      try {
        const tools = (await client.listTools(undefined, { timeout: 10_000 })).tools.map((t) => t.name).sort();
        const title = `from the container ${Date.now()}`;
        const result = await client.callTool({ name: 'createTask', arguments: { title, tags: ['container'] } }, undefined, { timeout: 10_000 });
        const task = result.structuredContent as { id?: string; title?: string } | undefined;
        // The upstream's own view of the task: proves the call really went through to the API.
        const direct = task?.id ? ((await (await fetch(`${apiUrl}/tasks/${encodeURIComponent(task.id)}`, { signal: AbortSignal.timeout(5000) })).json()) as { title?: string }) : undefined;
        process.stdout.write(`${JSON.stringify({ tools, isError: result.isError ?? false, sent: title, returned: task?.title, upstream: direct?.title })}\n`);
      } finally {
        await client.close();
      }
      return;
    }
    case 'wait-tools': {
      const [mcpUrl, absent, timeoutMs] = args as [string, string, string];
      const deadline = Date.now() + Number(timeoutMs);
      let names: string[] = [];
      while (Date.now() < deadline) {
        names = await toolNames(mcpUrl);
        if (!names.includes(absent)) {
          process.stdout.write(`${JSON.stringify({ tools: names })}\n`);
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`after ${timeoutMs} ms tools/list still has ${absent}: ${names.join(', ')}`);
    }
    case undefined:
      process.stdout.write('1..0 # SKIP a helper for test/container/run.sh, not a test\n');
      return;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main().then(
  () => {
    // Exit now: fetch keeps idle upstream sockets open for a few seconds.
    if (command === 'call' || command === 'wait-tools') process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`harness ${command ?? ''}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
