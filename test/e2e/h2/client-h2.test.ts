// The reference client over HTTP/2: three WebSockets on one connection (text, binary, fragmented and 1 MiB
// messages through HTTP/2 flow control, ping/pong, a clean close each, closing one leaves the others working), RFC
// 8441 §5's stream ends on the wire, and the responses it refuses, each with its id.
import { randomBytes } from 'node:crypto';
import { constants as h2c, createServer as createH2Server, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { addAbortSignal } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClientH2, H2WebSocketSession } from '../../../peers/client/h2.js';
import type { ReferenceClient } from '../../../peers/client/reference-client.js';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0 });
});
afterAll(() => server?.close());

async function echo(client: ReferenceClient, send: () => void): Promise<unknown> {
  const reply = client.waitFor('message', 10_000);
  send();
  return reply;
}

describe('three WebSockets on one HTTP/2 connection', () => {
  it('echoes text, binary, fragmented and 1 MiB messages on each, pings, and closes each cleanly', async () => {
    const session = await H2WebSocketSession.connect(server.url);
    const clients = await Promise.all([session.open(), session.open(), session.open({ deflate: true })]);
    expect(session.openStreams).toBe(3);
    const big = clients.map(() => new Uint8Array(randomBytes(1 << 20)));
    await Promise.all(
      clients.map(async (c, i) => {
        expect(await echo(c, () => c.sendText(`text ${i}`))).toEqual({ type: 'text', data: `text ${i}` });
        const bin = new Uint8Array([i, 0, 255, 7]);
        expect(await echo(c, () => c.sendBinary(bin))).toEqual({ type: 'binary', data: bin });
        expect(await echo(c, () => c.sendText(`fragmented message ${i}`, { fragments: [3, 5, 100] }))).toEqual({ type: 'text', data: `fragmented message ${i}` });
        expect(await c.ping(5000)).toBeGreaterThanOrEqual(0);
      }),
    );
    // 1 MiB on all three at once: far beyond the 64 KiB initial windows of each stream and of the connection, so
    // the echoes only complete if HTTP/2 flow control keeps every stream moving.
    const echoes = await Promise.all(clients.map((c, i) => echo(c, () => c.sendBinary(big[i]!))));
    echoes.forEach((m, i) => {
      expect((m as { type: string }).type).toBe('binary');
      expect(Buffer.from((m as { data: Uint8Array }).data).equals(big[i]!)).toBe(true);
    });
    for (const c of clients) expect(await c.close(1000, 'bye')).toMatchObject({ code: 1000, wasClean: true, tcp: { end: 'remote-fin' } });
    expect(session.openStreams).toBe(0);
    await session.close();
  });

  it('closing one WebSocket leaves the others working, and more can open on the same connection', async () => {
    const session = await H2WebSocketSession.connect(server.url);
    const [a, b, c] = await Promise.all([session.open(), session.open(), session.open()]);
    expect((await a!.close()).wasClean).toBe(true);
    c!.terminate();
    expect((await c!.closed).tcp.end).toBe('terminated');
    expect(await echo(b!, () => b!.sendText('still here'))).toEqual({ type: 'text', data: 'still here' });
    const d = await session.open();
    expect(await echo(d, () => d.sendText('new stream'))).toEqual({ type: 'text', data: 'new stream' });
    await Promise.all([b!.close(), d.close()]);
    await session.close();
  });
});

/** A node:http2 server standing in for a target, so the test sees the frames' effects on the other side. */
async function withH2Server(
  settings: { enableConnectProtocol: boolean },
  onStream: (stream: ServerHttp2Stream) => void,
  run: (url: string) => Promise<void>,
): Promise<void> {
  const h2: Http2Server = createH2Server({ settings });
  h2.on('stream', (stream) => {
    stream.on('error', () => {});
    onStream(stream);
  });
  await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
  const port = (h2.address() as { port: number }).port;
  try {
    await run(`ws://127.0.0.1:${port}/`);
  } finally {
    await new Promise<void>((resolve) => h2.close(() => resolve()));
  }
}

describe('stream ends (RFC 8441 §5)', () => {
  it('terminate() sends RST_STREAM(CANCEL) and no END_STREAM', async () => {
    let report!: (seen: { ended: boolean; rstCode: number | undefined }) => void;
    const seen = new Promise<{ ended: boolean; rstCode: number | undefined }>((resolve) => (report = resolve));
    await withH2Server(
      { enableConnectProtocol: true },
      (stream) => {
        let ended = false;
        stream.respond({ ':status': 200 });
        stream.on('data', () => {});
        // Node emits 'end' on a stream a RST_STREAM closed too; only an 'end' on an open stream is END_STREAM.
        stream.on('end', () => (ended = !stream.closed));
        stream.on('close', () => report({ ended, rstCode: stream.rstCode }));
      },
      async (url) => {
        const client = await connectClientH2(url);
        client.terminate();
        expect(await seen).toEqual({ ended: false, rstCode: h2c.NGHTTP2_CANCEL });
        expect((await client.closed).tcp.end).toBe('terminated');
      },
    );
  });

  it('reads a peer RST_STREAM(CANCEL) as a TCP reset (1006)', async () => {
    await withH2Server(
      { enableConnectProtocol: true },
      (stream) => {
        stream.respond({ ':status': 200 });
        const controller = new AbortController();
        addAbortSignal(controller.signal, stream);
        stream.on('data', () => controller.abort());
      },
      async (url) => {
        const client = await connectClientH2(url);
        client.sendText('reset me');
        const info = await client.closed;
        expect(info).toMatchObject({ code: 1006, wasClean: false, tcp: { end: 'reset', errorCode: 'ECONNRESET' } });
        expect(info.tcp.errorMessage).toMatch(/RST_STREAM \(CANCEL\)/);
      },
    );
  });
});

describe('responses the client refuses', () => {
  it('a 200 with Sec-WebSocket-Accept: accept-present', async () => {
    await withH2Server(
      { enableConnectProtocol: true },
      (stream) => stream.respond({ ':status': 200, 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' }),
      async (url) => {
        await expect(connectClientH2(url)).rejects.toMatchObject({ name: 'HandshakeError', kind: 'bad-response', id: 'accept-present', status: 200 });
      },
    );
  });

  it('a server without SETTINGS_ENABLE_CONNECT_PROTOCOL: connect-protocol-not-enabled, no CONNECT sent', async () => {
    let streams = 0;
    await withH2Server(
      { enableConnectProtocol: false },
      () => streams++,
      async (url) => {
        await expect(connectClientH2(url)).rejects.toMatchObject({ kind: 'bad-response', id: 'connect-protocol-not-enabled' });
      },
    );
    expect(streams).toBe(0);
  });

  it('a refusal: http-status with the status and the server reason', async () => {
    await withH2Server(
      { enableConnectProtocol: true },
      (stream) => {
        stream.respond({ ':status': 403 });
        stream.end('go away\nsecond line');
      },
      async (url) => {
        await expect(connectClientH2(url)).rejects.toMatchObject({ kind: 'http-status', id: 'unexpected-status', status: 403, message: expect.stringMatching(/: go away$/) });
      },
    );
  });

  it('a 101: reset by the HTTP/2 layer before a response, reported as reset-before-response (PROTOCOL_ERROR)', async () => {
    // node:http2 cannot send a 101, so this target writes the frames itself (RFC 7540 §4.1 framing, RFC 7541 HPACK).
    const frame = (type: number, flags: number, id: number, payload: Buffer): Buffer => {
      const head = Buffer.alloc(9);
      head.writeUIntBE(payload.length, 0, 3);
      head[3] = type;
      head[4] = flags;
      head.writeUInt32BE(id, 5);
      return Buffer.concat([head, payload]);
    };
    const sockets = new Set<Socket>();
    const raw: Server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      let buf = Buffer.alloc(0);
      let preface = false;
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (!preface) {
          if (buf.length < 24) return;
          buf = buf.subarray(24);
          preface = true;
          // SETTINGS with ENABLE_CONNECT_PROTOCOL (0x8) = 1, then the ACK of the client's SETTINGS.
          socket.write(frame(0x4, 0, 0, Buffer.from([0, 8, 0, 0, 0, 1])));
          socket.write(frame(0x4, 0x1, 0, Buffer.alloc(0)));
        }
        while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
          const length = buf.readUIntBE(0, 3);
          const type = buf[3];
          const id = buf.readUInt32BE(5) & 0x7fffffff;
          buf = buf.subarray(9 + length);
          // HEADERS: answer ":status: 101" (literal without indexing, name index 8 = :status), END_HEADERS.
          if (type === 0x1) socket.write(frame(0x1, 0x4, id, Buffer.from([0x08, 3, ...Buffer.from('101')])));
        }
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const port = (raw.address() as { port: number }).port;
      await expect(connectClientH2(`ws://127.0.0.1:${port}/`, { handshakeTimeoutMs: 5000 })).rejects.toMatchObject({
        kind: 'bad-response',
        id: 'reset-before-response',
        message: expect.stringMatching(/PROTOCOL_ERROR .*101/),
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });
});
