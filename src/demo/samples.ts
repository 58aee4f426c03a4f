import type { IncomingMessage, ServerResponse } from 'node:http';

/** A 1×1 red PNG and a 10 ms silent WAV: the smallest real files of their kind. */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const SILENT_WAV = (() => {
  const samples = 80; // 10 ms at 8 kHz, 8-bit mono
  const b = Buffer.alloc(44 + samples, 0x80);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  return b;
})();
const MINI_PDF = Buffer.from('%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * `/samples/*` on the demo API: one response of each kind a tool result can carry (text, image,
 * audio, binary, error, echoed JSON), used by the MCP conformance run (config/conformance.yaml).
 */
export function handleSample(name: string, req: IncomingMessage, res: ServerResponse, body: unknown): boolean {
  const send = (status: number, type: string, data: Buffer | string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(data) });
    res.end(data);
  };
  switch (name) {
    case 'text':
      send(200, 'text/plain; charset=utf-8', 'This is a simple text response for testing.');
      return true;
    case 'pixel.png':
      send(200, 'image/png', PIXEL_PNG);
      return true;
    case 'silence.wav':
      send(200, 'audio/wav', SILENT_WAV);
      return true;
    case 'report.pdf':
      send(200, 'application/pdf', MINI_PDF);
      return true;
    case 'error':
      send(500, 'application/json', JSON.stringify({ error: 'This tool intentionally returns an error for testing' }));
      return true;
    case 'echo':
      send(200, 'application/json', JSON.stringify({ method: req.method, received: body ?? null }));
      return true;
    default:
      return false;
  }
}
