// The raw peer on an HTTP/2 stream (RFC 8441) against in-test servers on 127.0.0.1: RFC 8441 §5's mapping of the
// transport's ends (the target's END_STREAM is a FIN, RST_STREAM a reset with its code, a connection that goes away
// resets every stream; our FIN is END_STREAM after the target's, our drop RST_STREAM(CANCEL)), the response checks,
// and the blocks node:http2 will not send going out framed by hand, exactly as built.
import { constants as h2c, createServer as createH2Server, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { H2Connection } from '../../../../peers/raw/h2-connection.js';
import { CLIENT_PREFACE, encodeH2Frame, encodeSettings, Flag, FrameType, H2FrameReader, headerFragment, Setting } from '../../../../peers/raw/h2-frames.js';
import { H2Peer } from '../../../../peers/raw/h2-peer.js';
import { encodeHeaderBlock, HpackDecoder } from '../../../../peers/raw/hpack.js';
import type { H2HeaderList } from '../../../../protocol/h2/headers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A node:http2 server with RFC 8441's setting; `onStream` plays the target. */
async function h2Server(onStream: (stream: ServerHttp2Stream) => void): Promise<string> {
  const server: Http2Server = createH2Server({ settings: { enableConnectProtocol: true } });
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    onStream(stream);
  });
  server.on('session', (s) => s.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const s of sessions) s.destroy();
    server.close(() => resolve());
  }));
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

async function peerOn(url: string): Promise<H2Peer> {
  const connection = await H2Connection.connect({ url: new URL(url) });
  cleanups.push(() => connection.destroy());
  const peer = H2Peer.open({ connection, url, deadline: performance.now() + 5000 });
  cleanups.push(() => peer.destroy());
  return peer;
}

/** RFC 6455 §5.2: an unmasked close frame with code 1000, as a server sends it. */
const CLOSE_1000 = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

describe('the stream as the transport (RFC 8441 §5)', () => {
  it("the target's END_STREAM is the FIN; ours follows it, and no RST_STREAM", async () => {
    let seen!: (v: { ended: boolean; rstCode: number | undefined }) => void;
    const serverSaw = new Promise<{ ended: boolean; rstCode: number | undefined }>((resolve) => (seen = resolve));
    const url = await h2Server((stream) => {
      stream.respond({ ':status': 200 });
      let ended = false;
      stream.on('end', () => (ended = true));
      stream.on('data', (d: Buffer) => {
        if (d[0] === 0x88) stream.end(CLOSE_1000); // our close answered, then END_STREAM
      });
      stream.on('close', () => seen({ ended, rstCode: stream.rstCode }));
    });
    const peer = await peerOn(url);
    expect(await peer.handshake()).toMatchObject({ ok: true, status: 200, h2: { endStream: false } });
    await peer.close(1000);
    const obs = peer.observation();
    expect(obs.closeReceived?.code).toBe(1000);
    expect(obs.tcpEnd).toMatchObject({ kind: 'fin', detail: 'END_STREAM' });
    expect(peer.http2.streamEnd()).toEqual({ frame: 'END_STREAM' });
    // The server's stream closes once our END_STREAM is in: no RST_STREAM from us.
    expect(await serverSaw).toEqual({ ended: true, rstCode: h2c.NGHTTP2_NO_ERROR });
  });

  it('a RST_STREAM is a reset, with its code; before a response it is a refusal', async () => {
    const url = await h2Server((stream) => {
      if (stream.id === 1) stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      else {
        stream.respond({ ':status': 200 });
        // destroy(err) resets at once (RST_STREAM INTERNAL_ERROR); close(code) would send END_STREAM first.
        stream.once('data', () => stream.destroy(new Error('the test resets the stream')));
      }
    });
    const refused = await peerOn(url);
    const hs = await refused.handshake();
    expect(hs).toMatchObject({ ok: false, failure: 'closed', rejection: { id: 'reset-before-response', rfc: '8441 5' } });
    expect(refused.observation().tcpEnd).toMatchObject({ kind: 'reset', detail: expect.stringMatching(/RST_STREAM REFUSED_STREAM/) });
    const reset = H2Peer.open({ connection: refused.connection, url, deadline: performance.now() + 5000 });
    cleanups.push(() => reset.destroy());
    expect((await reset.handshake()).ok).toBe(true);
    await reset.sendMessage(1, 'x');
    expect(await reset.waitForEnd(3000)).toBe(true);
    expect(reset.observation().tcpEnd?.kind).toBe('reset');
    expect(reset.http2.streamEnd()).toEqual({ frame: 'RST_STREAM', code: h2c.NGHTTP2_INTERNAL_ERROR });
    expect(reset.http2.connectionOpen).toBe(true);
  });

  it('a connection that goes away resets the stream on it; our drop is RST_STREAM(CANCEL)', async () => {
    const codes: (number | undefined)[] = [];
    const url = await h2Server((stream) => {
      stream.respond({ ':status': 200 });
      stream.on('close', () => codes.push(stream.rstCode));
      if (stream.id === 3) stream.once('data', () => stream.session?.destroy());
    });
    const dropped = await peerOn(url);
    await dropped.handshake();
    dropped.drop('the test drops it');
    expect(dropped.observation().tcpEnd).toMatchObject({ kind: 'client-drop', detail: 'the test drops it' });
    const lost = H2Peer.open({ connection: dropped.connection, url, deadline: performance.now() + 5000 });
    cleanups.push(() => lost.destroy());
    await lost.handshake();
    await lost.sendMessage(1, 'bye');
    expect(await lost.waitForEnd(3000)).toBe(true);
    expect(lost.observation().tcpEnd).toMatchObject({ kind: 'reset', detail: expect.stringMatching(/connection went away/) });
    expect(lost.http2.streamEnd()?.frame).toBe('connection');
    expect(lost.http2.connectionOpen).toBe(false);
    expect(codes[0]).toBe(h2c.NGHTTP2_CANCEL);
  });
});

/** A server that speaks just enough HTTP/2 by hand: its SETTINGS, ACKs, and `answer` for each request block. */
async function rawH2Server(opts: { connectProtocol: boolean; answer: (block: H2HeaderList) => H2HeaderList }): Promise<{ url: string; blocks: H2HeaderList[] }> {
  const blocks: H2HeaderList[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    const reader = new H2FrameReader(1 << 20);
    const decoder = new HpackDecoder();
    let preface = 0;
    socket.write(encodeH2Frame(FrameType.Settings, 0, 0, encodeSettings(opts.connectProtocol ? [[Setting.EnableConnectProtocol, 1]] : [])));
    socket.on('data', (d: Buffer) => {
      if (preface < CLIENT_PREFACE.length) {
        const n = Math.min(CLIENT_PREFACE.length - preface, d.length);
        preface += n;
        d = d.subarray(n);
      }
      for (const f of reader.push(d)) {
        if (f.type === FrameType.Settings && !(f.flags & Flag.Ack)) socket.write(encodeH2Frame(FrameType.Settings, Flag.Ack, 0));
        if (f.type === FrameType.Headers) {
          const block = decoder.decode(headerFragment(f));
          blocks.push(block);
          socket.write(encodeH2Frame(FrameType.Headers, Flag.EndHeaders, f.streamId, encodeHeaderBlock(opts.answer(block))));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, blocks };
}

describe('blocks node:http2 will not send, framed by hand', () => {
  it('an Extended CONNECT without :scheme goes out exactly as built, and a 101 answer is seen as the 101 it is', async () => {
    const srv = await rawH2Server({ connectProtocol: true, answer: () => [[':status', '101']] });
    const peer = await peerOn(srv.url);
    const hs = await peer.handshake({ removeHeaders: [':scheme'] });
    expect(srv.blocks).toHaveLength(1);
    expect(srv.blocks[0]!.map(([n]) => n)).toEqual([':method', ':protocol', ':path', ':authority', 'sec-websocket-version']);
    expect(hs).toMatchObject({ ok: false, status: 101, rejection: { id: 'status-101', rfc: '7540 8.1.1' } });
    expect(peer.transcript().entries.some((e) => e.kind === 'note' && /framed by hand/.test(e.text ?? ''))).toBe(true);
  });

  it('without SETTINGS_ENABLE_CONNECT_PROTOCOL nothing is sent, unless the case asks to send it anyway', async () => {
    const srv = await rawH2Server({ connectProtocol: false, answer: () => [[':status', '200']] });
    const held = await peerOn(srv.url);
    expect(held.http2.enableConnectProtocol).toBeFalsy();
    expect(await held.handshake()).toMatchObject({ ok: false, failure: 'error', rejection: { id: 'connect-protocol-not-enabled' } });
    expect(srv.blocks).toHaveLength(0);
    const forced = await peerOn(srv.url);
    expect(await forced.handshake({ h2: { ignoreSettings: true } })).toMatchObject({ ok: true, status: 200 });
    expect(srv.blocks).toHaveLength(1);
    expect(srv.blocks[0]).toContainEqual([':protocol', 'websocket']);
  });
});
