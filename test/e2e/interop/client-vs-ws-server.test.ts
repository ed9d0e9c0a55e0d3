// Our reference client against a `ws` server, over ws:// and wss:// (self-signed certificate made at test time),
// with and without permessage-deflate: messages of every length form, fragmentation, ping/pong, and every valid
// close code echoed in the close handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, HandshakeError, type ClientOptions, type ReferenceClient } from '../../../peers/client/reference-client.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';
import { binaryOfBytes, SIZES, startWsEchoServer, textOfBytes, VALID_CLOSE_CODES, type WsEchoServer } from './helpers.js';

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

describe.each(MODES)('reference client -> ws server ($scheme, deflate $deflate)', ({ scheme, deflate }) => {
  let server: WsEchoServer;
  let opts: ClientOptions;
  beforeAll(async () => {
    server = await startWsEchoServer({ tls: scheme === 'wss' ? cert : undefined, deflate });
    opts = { deflate, caFile: scheme === 'wss' ? cert.certFile : undefined };
  });
  afterAll(() => server?.close());

  async function withClient<T>(fn: (c: ReferenceClient) => Promise<T>): Promise<T> {
    const c = await connectClient(server.url, opts);
    try {
      return await fn(c);
    } finally {
      c.terminate();
    }
  }

  it('negotiates permessage-deflate only when offered and accepted', async () => {
    await withClient(async (c) => {
      expect(c.extensions.map((e) => e.name)).toEqual(deflate ? ['permessage-deflate'] : []);
    });
  });

  it.each(SIZES)('echoes a %i-byte text and binary message byte for byte', async (size) => {
    await withClient(async (c) => {
      const text = textOfBytes(size);
      c.sendText(text);
      const t = await c.waitFor('message', 20_000);
      expect(t.type).toBe('text');
      expect(t.type === 'text' && t.data === text).toBe(true);
      const bin = binaryOfBytes(size);
      c.sendBinary(bin);
      const b = await c.waitFor('message', 20_000);
      expect(b.type).toBe('binary');
      expect(b.type === 'binary' && Buffer.compare(Buffer.from(b.data), Buffer.from(bin))).toBe(0);
    });
  });

  it('sends fragmented messages that the server reassembles', async () => {
    await withClient(async (c) => {
      const text = textOfBytes(1000);
      // Fragment boundaries inside multi-byte characters: legal, since UTF-8 is checked over the whole message.
      c.sendText(text, { fragments: [1, 2, 3, 100, 0, 500] });
      const t = await c.waitFor('message', 5000);
      expect(t).toEqual({ type: 'text', data: text });
      const bin = binaryOfBytes(70_000);
      c.sendBinary(bin, { fragments: [65536, 1] });
      const b = await c.waitFor('message', 5000);
      expect(b.type === 'binary' && Buffer.from(b.data).equals(Buffer.from(bin))).toBe(true);
    });
  });

  it('measures ping round trips (the pong carries the ping payload)', async () => {
    await withClient(async (c) => {
      const rtts = [await c.ping(), await c.ping(), await c.ping()];
      for (const rtt of rtts) {
        expect(rtt).toBeGreaterThan(0);
        expect(rtt).toBeLessThan(5000);
      }
    });
  });

  it('completes the close handshake with every valid close code echoed', async () => {
    for (const code of VALID_CLOSE_CODES) {
      const c = await connectClient(server.url, opts);
      const info = await c.close(code, `bye ${code}`);
      expect({ code: info.code, reason: info.reason, wasClean: info.wasClean }).toEqual({ code, reason: `bye ${code}`, wasClean: true });
      // RFC 6455 §7.1.1: the server closes TCP first.
      expect(info.tcp.end).toBe('remote-fin');
    }
  });

  it('validates the certificate: refuses a self-signed one without the CA, accepts it with --insecure', async () => {
    if (scheme !== 'wss') return;
    const err = await connectClient(server.url, { deflate }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).kind).toBe('tls');
    const c = await connectClient(server.url, { deflate, insecure: true });
    expect(c.state).toBe('open');
    await c.close();
  });
});
