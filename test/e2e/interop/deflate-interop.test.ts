// permessage-deflate interop under every parameter combination (RFC 7692 §7.1): our reference client against a
// `ws` server, and the `ws` client against our reference server. Each side's offer crossed with the other side's
// policy; every connection must negotiate (or decline) per the RFC and echo text and binary messages byte for byte,
// repeated so context takeover (or its absence) is exercised, and a fragmented compressed message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { connectClient, type ClientDeflateOptions } from '../../../peers/client/reference-client.js';
import { startReferenceServer, type RunningServer, type ServerDeflateOptions } from '../../../peers/server/reference-server.js';
import { parseExtensionHeader, type ParsedExtension } from '../../../protocol/extensions/header.js';
import { binaryOfBytes, nextWsMessage, textOfBytes } from './helpers.js';

/** Sizes sent twice each: the repeat can refer back into the first copy when context is taken over. */
const TEXT_SIZES = [0, 1, 200, 4000, 70_000];
const BINARY = [binaryOfBytes(1000), new Uint8Array(20_000).map((_, i) => (i * 7) & 0x3f)];

function cartesian<T extends Record<string, readonly unknown[]>>(axes: T): { [K in keyof T]: T[K][number] }[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(axes)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out as { [K in keyof T]: T[K][number] }[];
}

/** Offers: server_no_context_takeover, client_no_context_takeover, server_max_window_bits, client_max_window_bits. */
const CLIENT_OFFERS = cartesian({
  serverNoContextTakeover: [false, true],
  clientNoContextTakeover: [false, true],
  serverMaxWindowBits: [undefined, 8, 9, 15],
  clientMaxWindowBits: [true, false, 9] as (number | boolean)[],
});

/** Opens a ws client and keeps the response's Sec-WebSocket-Extensions (ws.extensions keeps only the names). */
function openWsWithResponse(url: string, perMessageDeflate: PerMessageDeflateOptions, timeoutMs = 5000): Promise<{ ws: WebSocket; extensions: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate });
    let extensions = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`ws client: no open within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('upgrade', (res) => {
      extensions = String(res.headers['sec-websocket-extensions'] ?? '');
    });
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({ ws, extensions });
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const params = (ext: ParsedExtension | undefined): Map<string, string | true> => new Map(ext?.params ?? []);

/** RFC 7692 §7.1.1.1 / §7.1.2.1: what an accepted response must say about the server's side of our offer. */
function expectResponseFits(resp: Map<string, string | true>, offer: { serverNoContextTakeover?: boolean; serverMaxWindowBits?: number | undefined; clientMaxWindowBits?: number | boolean }): void {
  if (offer.serverNoContextTakeover) expect(resp.get('server_no_context_takeover')).toBe(true);
  if (offer.serverMaxWindowBits !== undefined) expect(Number(resp.get('server_max_window_bits'))).toBeLessThanOrEqual(offer.serverMaxWindowBits);
  if (offer.clientMaxWindowBits === false || offer.clientMaxWindowBits === undefined) expect(resp.has('client_max_window_bits')).toBe(false);
}

describe('reference client -> ws server, every offer x ws policy', () => {
  const POLICIES: Record<string, PerMessageDeflateOptions> = {
    default: {},
    'no-context-takeover': { serverNoContextTakeover: true, clientNoContextTakeover: true },
    'windows-10': { serverMaxWindowBits: 10 },
  };
  const servers: Record<string, { url: string; wss: WebSocketServer }> = {};
  beforeAll(async () => {
    for (const [name, perMessageDeflate] of Object.entries(POLICIES)) {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0, ...perMessageDeflate } });
      await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
      wss.on('connection', (ws) => {
        ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
        ws.on('error', () => {});
      });
      servers[name] = { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, wss };
    }
  });
  afterAll(async () => {
    for (const { wss } of Object.values(servers)) {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  const rows = Object.keys(POLICIES).flatMap((policy) => CLIENT_OFFERS.map((offer) => ({ policy, offer, label: `${policy} ${JSON.stringify(offer)}` })));
  it.each(rows)('$label', async ({ policy, offer }) => {
    const deflate: ClientDeflateOptions = { ...offer };
    if (policy === 'windows-10' && offer.serverMaxWindowBits !== undefined && offer.serverMaxWindowBits < 10) {
      // ws cannot keep to a window below its own setting: it declines the offer, and refuses the handshake (400).
      await expect(connectClient(servers[policy]!.url, { deflate })).rejects.toThrow(/400/);
      return;
    }
    const c = await connectClient(servers[policy]!.url, { deflate });
    try {
      const ext = c.extensions.find((e) => e.name === 'permessage-deflate');
      expect(ext).toBeDefined();
      const resp = params(ext);
      expectResponseFits(resp, offer);
      if (policy === 'no-context-takeover') expect(resp.get('server_no_context_takeover')).toBe(true);
      for (const size of TEXT_SIZES) {
        const text = textOfBytes(size);
        for (let i = 0; i < 2; i++) {
          c.sendText(text);
          const m = await c.waitFor('message', 10_000);
          expect(m.type === 'text' && m.data === text).toBe(true);
        }
      }
      for (const bin of BINARY) {
        for (let i = 0; i < 2; i++) {
          c.sendBinary(bin);
          const m = await c.waitFor('message', 10_000);
          expect(m.type === 'binary' && Buffer.compare(Buffer.from(m.data), Buffer.from(bin)) === 0).toBe(true);
        }
      }
      const long = textOfBytes(30_000);
      c.sendText(long, { fragments: [1000, 9000, 20_000] });
      const f = await c.waitFor('message', 10_000);
      expect(f.type === 'text' && f.data === long).toBe(true);
      const closed = await c.close(1000);
      expect(closed.wasClean).toBe(true);
    } finally {
      c.terminate();
    }
  });
});

/** The ws client's offers: it always offers client_max_window_bits (true: without a value) unless given a number. */
const WS_OFFERS = cartesian({
  serverNoContextTakeover: [false, true],
  clientNoContextTakeover: [false, true],
  serverMaxWindowBits: [undefined, 9, 15],
  clientMaxWindowBits: [true, 9] as (number | boolean)[],
});

describe('ws client -> reference server, every ws offer x server policy', () => {
  const POLICIES: Record<string, ServerDeflateOptions> = {
    default: {},
    'no-context-takeover': { serverNoContextTakeover: true, clientNoContextTakeover: true },
    'windows-9': { serverMaxWindowBits: 9, clientMaxWindowBits: 9 },
    'window-8': { serverMaxWindowBits: 8 },
  };
  const servers: Record<string, RunningServer> = {};
  beforeAll(async () => {
    for (const [name, deflate] of Object.entries(POLICIES)) servers[name] = await startReferenceServer({ host: '127.0.0.1', port: 0, deflate });
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
  });

  const rows = Object.keys(POLICIES).flatMap((policy) => WS_OFFERS.map((offer) => ({ policy, offer, label: `${policy} ${JSON.stringify(offer)}` })));
  it.each(rows)('$label', async ({ policy, offer }) => {
    const perMessageDeflate: PerMessageDeflateOptions = { threshold: 0 };
    if (offer.serverNoContextTakeover) perMessageDeflate.serverNoContextTakeover = true;
    if (offer.clientNoContextTakeover) perMessageDeflate.clientNoContextTakeover = true;
    if (offer.serverMaxWindowBits !== undefined) perMessageDeflate.serverMaxWindowBits = offer.serverMaxWindowBits;
    if (offer.clientMaxWindowBits !== true) perMessageDeflate.clientMaxWindowBits = offer.clientMaxWindowBits as number;
    const { ws, extensions } = await openWsWithResponse(servers[policy]!.url, perMessageDeflate);
    try {
      const exts = extensions === '' ? [] : parseExtensionHeader(extensions);
      const ext = exts.find((e) => e.name === 'permessage-deflate');
      expect(ext).toBeDefined();
      const resp = params(ext);
      expectResponseFits(resp, offer);
      if (policy === 'no-context-takeover') expect(resp.get('client_no_context_takeover')).toBe(true);
      for (const size of TEXT_SIZES) {
        const text = textOfBytes(size);
        for (let i = 0; i < 2; i++) {
          ws.send(text);
          const m = await nextWsMessage(ws, 10_000);
          expect(m.isBinary).toBe(false);
          expect(m.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
        }
      }
      for (const bin of BINARY) {
        for (let i = 0; i < 2; i++) {
          ws.send(bin);
          const m = await nextWsMessage(ws, 10_000);
          expect(m.isBinary).toBe(true);
          expect(m.data.equals(Buffer.from(bin))).toBe(true);
        }
      }
      // A fragmented compressed message (ws compresses the whole message, RSV1 on the first frame only).
      const parts = [textOfBytes(1000), textOfBytes(9000), textOfBytes(20_000)];
      parts.forEach((p, i) => ws.send(p, { fin: i === parts.length - 1, compress: true }));
      const f = await nextWsMessage(ws, 10_000);
      expect(f.data.toString('utf8')).toBe(parts.join(''));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.close(1000);
      expect(await closed).toBe(1000);
    } finally {
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    }
  });
});
