// Our reference server against the `ws` client, over ws:// and wss://, with and without permessage-deflate:
// messages of every length form echoed byte for byte (text as text, binary as binary), fragmented messages,
// ping/pong, every valid close code echoed, and graceful shutdown (1001).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';
import { binaryOfBytes, nextWsMessage, openWs, SIZES, textOfBytes, until, VALID_CLOSE_CODES, wsClosed } from './helpers.js';

let cert: TestCert;
beforeAll(() => {
  cert = makeSelfSignedCert();
});
afterAll(() => cert?.cleanup());

const MODES = [
  { scheme: 'ws', deflate: false },
  { scheme: 'wss', deflate: false },
  { scheme: 'ws', deflate: true },
  { scheme: 'wss', deflate: true },
] as const;

describe.each(MODES)('ws client -> reference server ($scheme, deflate $deflate)', ({ scheme, deflate }) => {
  let server: RunningServer;
  const clientOpts = (): WebSocket.ClientOptions => ({ perMessageDeflate: deflate, ca: scheme === 'wss' ? cert.cert : undefined });
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, tls: scheme === 'wss' ? { cert: cert.cert, key: cert.key } : undefined });
  });
  afterAll(() => server?.close());

  it('prints its URL with the real port', () => {
    expect(server.url).toBe(`${scheme}://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('accepts permessage-deflate when offered', async () => {
    const ws = await openWs(server.url, clientOpts());
    expect(ws.extensions).toBe(deflate ? 'permessage-deflate' : '');
    ws.terminate();
  });

  it.each(SIZES)('echoes a %i-byte text and binary message byte for byte', async (size) => {
    const ws = await openWs(server.url, clientOpts());
    try {
      const text = textOfBytes(size);
      ws.send(text);
      const t = await nextWsMessage(ws, 20_000);
      expect(t.isBinary).toBe(false);
      expect(t.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
      const bin = binaryOfBytes(size);
      ws.send(bin);
      const b = await nextWsMessage(ws, 20_000);
      expect(b.isBinary).toBe(true);
      expect(b.data.equals(Buffer.from(bin))).toBe(true);
    } finally {
      ws.terminate();
    }
  });

  it('reassembles fragmented messages and echoes them whole', async () => {
    const ws = await openWs(server.url, clientOpts());
    try {
      const parts = ['frag', 'mé', '', 'nted 😀'];
      parts.forEach((p, i) => ws.send(p, { fin: i === parts.length - 1, binary: false }));
      const t = await nextWsMessage(ws);
      expect(t).toEqual({ data: Buffer.from(parts.join('')), isBinary: false });
      const bins = [binaryOfBytes(70_000), binaryOfBytes(1), binaryOfBytes(300)];
      bins.forEach((b, i) => ws.send(b, { fin: i === bins.length - 1, binary: true }));
      const b = await nextWsMessage(ws);
      expect(b.isBinary).toBe(true);
      expect(b.data.equals(Buffer.concat(bins))).toBe(true);
    } finally {
      ws.terminate();
    }
  });

  it('answers pings with pongs carrying the same payload', async () => {
    const ws = await openWs(server.url, clientOpts());
    try {
      const payload = Buffer.from('are you there?');
      const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
      ws.ping(payload);
      expect((await pong).equals(payload)).toBe(true);
    } finally {
      ws.terminate();
    }
  });

  it('echoes every valid close code in the close handshake', async () => {
    for (const code of VALID_CLOSE_CODES) {
      const ws = await openWs(server.url, clientOpts());
      const closed = wsClosed(ws);
      ws.close(code, 'bye');
      expect((await closed).code).toBe(code);
    }
  });
});

describe('graceful shutdown', () => {
  it('sends 1001 to every client, waits for their close frames, then stops listening', async () => {
    const server = await startReferenceServer({ port: 0 });
    const clients = await Promise.all([openWs(server.url), openWs(server.url), openWs(server.url)]);
    const closes = clients.map((ws) => wsClosed(ws));
    await until(() => server.stats().openConnections === 3, 5000, 'three open connections');
    await server.close();
    for (const c of await Promise.all(closes)) expect(c.code).toBe(1001);
    expect(server.stats().openConnections).toBe(0);
    await expect(openWs(server.url, {}, 2000)).rejects.toThrow(/ECONNREFUSED/);
  });
});
