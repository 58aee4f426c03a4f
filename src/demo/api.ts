import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleSample } from './samples.js';

interface Task {
  id: string;
  title: string;
  status: 'open' | 'done';
  tags: string[];
  createdAt: string;
}

/** The demo Tasks API behind `npm start` (config/demo-openapi.yaml): in memory, node:http only. */
export function createDemoApi(): Server {
  const tasks = new Map<string, Task>();
  const add = (title: string, tags: string[], status: Task['status'] = 'open') => {
    const t: Task = { id: randomUUID().slice(0, 8), title, status, tags, createdAt: new Date().toISOString() };
    tasks.set(t.id, t);
  };
  add('Try mcp-sidecar', ['demo']);
  add('Read the README', ['docs'], 'done');

  return createServer((req, res) => {
    handle(req, res, tasks).catch(() => send(res, 500, { error: 'internal error' }));
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, tasks: Map<string, Task>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://demo');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'samples' && parts.length === 2) {
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    if (handleSample(parts[1]!, req, res, body)) return;
  }
  if (parts[0] === 'stats' && req.method === 'GET') {
    const all = [...tasks.values()];
    return send(res, 200, { open: all.filter((t) => t.status === 'open').length, done: all.filter((t) => t.status === 'done').length, source: req.headers['x-request-source'] ?? null });
  }
  if (parts[0] !== 'tasks') return send(res, 404, { error: 'not found' });
  if (parts.length === 1 && req.method === 'GET') {
    const status = url.searchParams.get('status');
    const tags = url.searchParams.getAll('tag');
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const items = [...tasks.values()]
      .filter((t) => (!status || t.status === status) && tags.every((tag) => t.tags.includes(tag)))
      .reverse()
      .slice(0, limit);
    return send(res, 200, { items, total: items.length });
  }
  if (parts.length === 1 && req.method === 'POST') {
    const body = (await readJson(req)) as { title?: unknown; tags?: unknown };
    if (typeof body?.title !== 'string' || body.title === '') return send(res, 400, { error: 'title is required' });
    const task: Task = { id: randomUUID().slice(0, 8), title: body.title, status: 'open', tags: Array.isArray(body.tags) ? body.tags.map(String) : [], createdAt: new Date().toISOString() };
    tasks.set(task.id, task);
    return send(res, 201, task);
  }
  const task = tasks.get(parts[1] ?? '');
  if (!task) return send(res, 404, { error: `no task with id ${parts[1]}` });
  if (parts.length === 3 && parts[2] === 'summary.txt' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`[${task.status === 'done' ? 'x' : ' '}] ${task.title}${task.tags.length ? ` (${task.tags.join(', ')})` : ''}`);
    return;
  }
  if (parts.length !== 2) return send(res, 404, { error: 'not found' });
  switch (req.method) {
    case 'GET':
      return send(res, 200, task);
    case 'PATCH': {
      const body = (await readJson(req)) as Partial<Task>;
      if (typeof body.title === 'string') task.title = body.title;
      if (body.status === 'open' || body.status === 'done') task.status = body.status;
      if (Array.isArray(body.tags)) task.tags = body.tags.map(String);
      return send(res, 200, task);
    }
    case 'DELETE':
      tasks.delete(task.id);
      res.writeHead(204).end();
      return;
    default:
      return send(res, 405, { error: 'method not allowed' });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

export async function startDemoApi(host = '127.0.0.1', port = 0): Promise<{ server: Server; url: string }> {
  const server = createDemoApi();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  return { server, url: `http://${host}:${actual}` };
}
