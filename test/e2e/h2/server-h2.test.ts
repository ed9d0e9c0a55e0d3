// The reference server speaks WebSockets over HTTP/1.1, h2c (prior knowledge) and h2 (TLS, ALPN) on one port, refuses
// bad Extended CONNECTs with the statuses docs/http2.md gives, and shuts HTTP/2 connections down with 1001.
import { connect as h2Connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectClient, type ReferenceClient } from '../../../peers/client/reference-client.js';
import { connectClientH2, H2WebSocketSession, requestH2Stream } from '../../../peers/client/h2.js';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import type { H2HeaderList } from '../../../protocol/h2/headers.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';

let plain: RunningServer;
let secure: RunningServer;
let cert: TestCert;

beforeAll(async () => {
  cert = makeSelfSignedCert();
  plain = await startReferenceServer({ port: 0, path: '/echo', protocols: ['chat'], handshakeTimeoutMs: 2000 });
  secure = await startReferenceServer({ port: 0, path: '/echo', tls: { cert: cert.cert, key: cert.key }, handshakeTimeoutMs: 2000 });
});
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
  cert?.cleanup();
});

async function echoText(client: ReferenceClient, text: string): Promise<void> {
  const reply = client.waitFor('message', 5000);
  client.sendText(text);
  expect(await reply).toEqual({ type: 'text', data: text });
}

async function closeCleanly(client: ReferenceClient): Promise<void> {
  const info = await client.close(1000, 'done');
  expect(info).toMatchObject({ code: 1000, wasClean: true });
}

describe('one port, three transports', () => {
  it('serves HTTP/1.1 and h2c on the same cleartext port', async () => {
    const before = plain.stats().totalConnections;
    const h1 = await connectClient(`ws://127.0.0.1:${plain.port}/echo`, { protocols: ['chat'] });
    const h2 = await connectClientH2(`ws://127.0.0.1:${plain.port}/echo`, { protocols: ['chat'] });
    expect(h1.protocol).toBe('chat');
    expect(h2.protocol).toBe('chat');
    await echoText(h1, 'over HTTP/1.1');
    await echoText(h2, 'over h2c');
    expect(plain.stats().totalConnections - before).toBe(2);
    await closeCleanly(h1);
    await closeCleanly(h2);
  });

  it('serves wss over HTTP/1.1 and over h2 (ALPN) on the same TLS port', async () => {
    const url = `wss://127.0.0.1:${secure.port}/echo`;
    const h1 = await connectClient(url, { ca: cert.cert });
    const session = await H2WebSocketSession.connect(url, { ca: cert.cert });
    expect(session.session.alpnProtocol).toBe('h2');
    const h2 = await session.open({ deflate: true });
    expect(h2.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
    await echoText(h1, 'wss over HTTP/1.1');
    await echoText(h2, 'wss over h2, deflated');
    await closeCleanly(h1);
    await closeCleanly(h2);
    await session.close();
    // A TLS client that offers no ALPN at all (the ws library) still gets HTTP/1.1.
    const ws = new WebSocket(url, { ca: cert.cert });
    const reply = new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.once('open', () => ws.send('no ALPN'));
    expect(await reply).toBe('no ALPN');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.close(1000);
    expect(await closed).toBe(1000);
  });

  it('keeps answering plain HTTP/1.1 (the stats endpoint) on the same port', async () => {
    const res = await fetch(`http://127.0.0.1:${plain.port}/stats`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { pid: number }).pid).toBe(process.pid);
  });
});

describe('refusals over HTTP/2', () => {
  let session: H2WebSocketSession;
  beforeAll(async () => {
    session = await H2WebSocketSession.connect(`ws://127.0.0.1:${plain.port}/echo`);
  });
  afterAll(() => session?.close());

  const authority = (): string => `127.0.0.1:${plain.port}`;
  const extended = (overrides: Record<string, string | null>): H2HeaderList => {
    const fields: Record<string, string | null> = {
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'http',
      ':path': '/echo',
      ':authority': authority(),
      'sec-websocket-version': '13',
      ...overrides,
    };
    return Object.entries(fields).filter((f): f is [string, string] => f[1] !== null);
  };

  async function refusal(list: H2HeaderList): Promise<{ status: string | undefined; headers: H2HeaderList; body: string }> {
    const { stream, headers } = await requestH2Stream(session.session, list, 5000);
    let body = '';
    stream.setEncoding('utf8');
    for await (const chunk of stream) body += chunk as string;
    return { status: headers.find(([n]) => n === ':status')?.[1], headers, body };
  }

  it('refuses a CONNECT without :protocol with 400 (a tunnel request, RFC 7540 §8.3)', async () => {
    const r = await refusal([
      [':method', 'CONNECT'],
      [':authority', authority()],
    ]);
    expect(r.status).toBe('400');
    expect(r.body).toMatch(/^RFC 8441 §5: CONNECT without :protocol/);
  });

  it('refuses a :protocol other than websocket with 501 (RFC 9220 §3)', async () => {
    const r = await refusal(extended({ ':protocol': 'websockets' }));
    expect(r.status).toBe('501');
    expect(r.body).toMatch(/:protocol "websockets" is not "websocket"/);
  });

  it('refuses a wrong or missing version with 400 and sec-websocket-version: 13', async () => {
    for (const version of ['8', null]) {
      const r = await refusal(extended({ 'sec-websocket-version': version }));
      expect(r.status).toBe('400');
      expect(r.headers).toContainEqual(['sec-websocket-version', '13']);
    }
  });

  it('refuses a GET with 405 and allow: CONNECT, a Sec-WebSocket-Key with 400, an unknown path with 404', async () => {
    const get = await refusal([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/echo'],
      [':authority', authority()],
    ]);
    expect(get.status).toBe('405');
    expect(get.headers).toContainEqual(['allow', 'CONNECT']);
    expect((await refusal(extended({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }))).status).toBe('400');
    expect((await refusal(extended({ ':path': '/nowhere' }))).status).toBe('404');
    // The connection survives its refusals: a WebSocket still opens on it.
    const client = await session.open();
    await echoText(client, 'after the refusals');
    await closeCleanly(client);
  });
});

describe('HTTP/2 connection handling', () => {
  it('drops an HTTP/2 connection that opens no stream within the handshake timeout, and only that one', async () => {
    const before = plain.stats().handshakeTimeouts;
    // Opened first, so its handshake timer would fire first if a stream did not stop it.
    const busy = await H2WebSocketSession.connect(`ws://127.0.0.1:${plain.port}/echo`);
    const client = await busy.open();
    const idle = h2Connect(`http://127.0.0.1:${plain.port}`);
    idle.on('error', () => {});
    await new Promise<void>((resolve) => idle.once('close', () => resolve()));
    expect(plain.stats().handshakeTimeouts).toBe(before + 1);
    await echoText(client, 'outlived the handshake timeout');
    await closeCleanly(client);
    await busy.close();
  });

  it('closes WebSockets on HTTP/2 with 1001 and the connection with GOAWAY on shutdown', async () => {
    const server = await startReferenceServer({ port: 0 });
    const session = await H2WebSocketSession.connect(server.url);
    const clients = await Promise.all([session.open(), session.open()]);
    const frames = clients.map((c) => c.waitFor('close-frame', 5000));
    await server.close();
    for (const f of await Promise.all(frames)) expect(f.code).toBe(1001);
    for (const c of clients) expect((await c.closed).wasClean).toBe(true);
    await session.closed;
  });

  it('can be turned off: then the preface is refused as an HTTP/1.1 request', async () => {
    const server = await startReferenceServer({ port: 0, http2: false });
    try {
      await expect(H2WebSocketSession.connect(server.url, { handshakeTimeoutMs: 3000 })).rejects.toMatchObject({ name: 'HandshakeError' });
    } finally {
      await server.close();
    }
  });
});
