// The wire server peer against real clients on 127.0.0.1: the `ws` client (echoing, as a client under test does)
// and raw sockets for clients that misbehave on purpose (unmasked frames, a close never answered). Responses are
// checked byte for byte where a client cannot show them; waits end by their timeout or the case deadline.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import { FrameDecoder } from '../../../../protocol/frame/decoder.js';
import { computeAcceptKey } from '../../../../protocol/handshake/accept-key.js';
import { gradeClient } from '../../../../suites/grade/client.js';
import { REFUSE_PROBE } from '../../../../suites/client/define.js';
import { text } from '../../../../suites/define.js';
import { makeSelfSignedCert } from '../../../helpers/tls-cert.js';
import { listen, openedRawSession, rawClient, requestHead, type Harness } from './harness.js';

const harnesses: Harness[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function server(budgetMs = 3000, secure?: { cert: Buffer; key: Buffer }): Promise<Harness> {
  const h = await listen(budgetMs, secure);
  harnesses.push(h);
  return h;
}

/** A ws client that behaves as a client under test: echoes every message (its library answers pings and closes). */
function echoClient(url: string, opts: WebSocket.ClientOptions = {}): { ws: WebSocket; error: Promise<Error>; closed: Promise<number> } {
  const ws = new WebSocket(url, opts);
  clients.push(ws);
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  const error = new Promise<Error>((resolve) => ws.on('error', resolve));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return { ws, error, closed };
}

const mask = new Uint8Array([1, 2, 3, 4]);
const clientFrame = (opcode: number, payload: string | Uint8Array, masked = true): Uint8Array =>
  encodeFrameBytes({ opcode, payload: typeof payload === 'string' ? new Uint8Array(Buffer.from(payload)) : payload, mask: masked ? mask : null });

function frames(bytes: Uint8Array): { opcode: number; masked: boolean; payload: Buffer }[] {
  const d = new FrameDecoder();
  d.push(bytes);
  const out = [];
  for (let r = d.next(); r !== null; r = d.next()) if (r.type === 'frame') out.push({ opcode: r.frame.opcode, masked: r.frame.masked, payload: Buffer.from(r.frame.payload) });
  return out;
}

const headEnd = (b: Buffer): boolean => b.includes('\r\n\r\n');

describe('WireServerPeer: the request and the response', () => {
  it('reads the request (target, key, offers) and answers a correct 101 that ws accepts', async () => {
    const h = await server();
    const c = echoClient(h.url, { headers: { Origin: 'http://example.test' } });
    const peer = await h.next();
    expect(peer.request).toMatchObject({ target: '/runCase?case=1&agent=test', violation: null, origin: 'http://example.test', protocols: [] });
    expect(peer.request.key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    // ws offers permessage-deflate by default (RFC 7692 §7.1).
    expect(peer.request.extensionOffers.map((x) => x.name)).toEqual(['permessage-deflate']);
    const opened = new Promise<void>((r) => c.ws.once('open', () => r()));
    await peer.respond();
    await opened;
    expect(c.ws.extensions).toBe('');
    expect(peer.observation().responseSent).toMatchObject({ status: 101 });
    expect(peer.observation().request?.violation).toBeNull();
  });

  it('a wrong Sec-WebSocket-Accept makes ws fail the connection (RFC 6455 §4.1); the refuse case passes', async () => {
    const h = await server();
    const c = echoClient(h.url);
    const peer = await h.next();
    await peer.respond({ accept: computeAcceptKey('AAAAAAAAAAAAAAAAAAAAAA==') });
    await peer.sendMessage(1, REFUSE_PROBE);
    expect((await c.error).message).toMatch(/Invalid Sec-WebSocket-Accept/);
    await peer.waitForEnd(2000);
    const obs = peer.observation();
    expect(obs.tcpEnd?.kind).not.toBe('server-close');
    expect(obs.events.filter((e) => e.kind === 'message')).toEqual([]);
    expect(gradeClient({ expect: { kind: 'refuse', rfc: '4.1', rule: 'the client MUST _Fail the WebSocket Connection_' }, observation: obs, rfc: ['4.1'] })).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('accept: null leaves the header out; a status other than 101 is refused too', async () => {
    const h = await server();
    const a = echoClient(h.url);
    await (await h.next()).respond({ accept: null });
    expect((await a.error).message).toMatch(/Sec-WebSocket-Accept/);
    const raw = await rawClient(h.port);
    raw.socket.write(requestHead(h.port));
    await (await h.next()).respond({ accept: null });
    expect((await raw.until(headEnd)).toString('latin1')).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const b = echoClient(h.url);
    await (await h.next()).respond({ status: 200, body: 'hello' });
    expect((await b.error).message).toMatch(/Unexpected server response: 200/);
  });

  it('applies the edits: status line, removed, replaced and added headers, protocol, extensions, body, trailing', async () => {
    const h = await server();
    const c = await rawClient(h.port);
    c.socket.write(requestHead(h.port, ['Sec-WebSocket-Protocol: chat, superchat']));
    const peer = await h.next();
    expect(peer.request.protocols).toEqual(['chat', 'superchat']);
    await peer.respond({
      httpVersion: 'HTTP/1.0',
      reason: 'Go Ahead',
      removeHeaders: ['connection'],
      replaceHeaders: [['Upgrade', 'WebSocket'], ['X-New', '1']],
      addHeaders: [['X-Dup', 'a'], ['X-Dup', 'b']],
      protocol: 'superchat',
      extensions: 'x-foo',
      body: 'hé',
      trailing: encodeFrameBytes({ opcode: 1, payload: new Uint8Array(Buffer.from('early')) }),
    });
    const got = (await c.until((b) => b.includes('early'))).toString('latin1');
    const [head, rest] = [got.slice(0, got.indexOf('\r\n\r\n') + 4), got.slice(got.indexOf('\r\n\r\n') + 4)];
    expect(head).toBe(
      'HTTP/1.0 101 Go Ahead\r\nUpgrade: WebSocket\r\n' +
        `Sec-WebSocket-Accept: ${computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')}\r\nSec-WebSocket-Protocol: superchat\r\nSec-WebSocket-Extensions: x-foo\r\n` +
        'X-New: 1\r\nX-Dup: a\r\nX-Dup: b\r\nContent-Length: 3\r\n\r\n',
    );
    expect(Buffer.from(rest, 'latin1').subarray(0, 3).toString('utf8')).toBe('hé');
    expect(frames(Buffer.from(rest, 'latin1').subarray(3))).toMatchObject([{ opcode: 1, masked: false, payload: Buffer.from('early') }]);
  });

  it('raw bytes go out as given; the status is read from them (null without a status line); respond() sends once', async () => {
    const h = await server();
    const c = await rawClient(h.port);
    c.socket.write(requestHead(h.port));
    const peer = await h.next();
    await peer.respond({ raw: 'HTTP/1.1 404 Nope\r\n\r\n' });
    await peer.respond({ raw: 'HTTP/1.1 200 OK\r\n\r\n' });
    expect((await c.until(headEnd)).toString('latin1')).toBe('HTTP/1.1 404 Nope\r\n\r\n');
    expect(peer.observation().responseSent?.status).toBe(404);
    const c2 = await rawClient(h.port);
    c2.socket.write(requestHead(h.port));
    const p2 = await h.next();
    await p2.respond({ raw: 'garbage\r\n\r\n' });
    expect(p2.observation().responseSent?.status).toBeNull();
  });

  it('records a request that breaks RFC 6455 §4.1 with the rule it breaks', async () => {
    const h = await server();
    const c = await rawClient(h.port);
    c.socket.write(requestHead(h.port).replace('Upgrade: websocket\r\n', ''));
    const peer = await h.next();
    expect(peer.request.violation).toMatchObject({ id: 'missing-upgrade', rfc: '4.2.1' });
    expect(gradeClient({ expect: { kind: 'request' }, observation: peer.observation(), rfc: ['4.1'] })).toMatchObject({ verdict: 'fail', reasonCode: 'request-invalid' });
  });

  it('decodes frames a client pipelined with its request (leftover) once the response is out', async () => {
    const h = await server();
    const c = await rawClient(h.port);
    c.socket.write(Buffer.concat([Buffer.from(requestHead(h.port), 'latin1'), clientFrame(1, 'too soon')]));
    const peer = await h.next();
    await peer.respond();
    expect(await peer.waitForMessages(1, 1000)).toBe(true);
    expect(peer.observation().events).toMatchObject([{ kind: 'message', opcode: 1, length: 8 }]);
  });
});

describe('WireServerPeer: frames and the closing handshake', () => {
  it('echo round trip with ws; our close answered; the server closes TCP (server-close); graded pass', async () => {
    const h = await server();
    const c = echoClient(h.url, { perMessageDeflate: false });
    const peer = await h.next();
    await peer.respond();
    await peer.sendMessage(1, 'hello');
    await peer.sendMessage(2, new Uint8Array([0, 1, 2, 255]), { fragmentSize: 2 });
    await peer.sendPing('p');
    expect(await peer.waitForMessages(2)).toBe(true);
    expect(await peer.waitForPongs(1)).toBe(true);
    await peer.close(1000);
    expect(await c.closed).toBe(1000);
    const obs = peer.observation();
    expect(obs.closeReceived?.code).toBe(1000);
    expect(obs.tcpEnd?.kind).toBe('server-close');
    expect(obs.events.filter((e) => e.kind === 'violation')).toEqual([]);
    const expect_ = { kind: 'behave' as const, receive: [text('hello'), { type: 'binary' as const, payload: new Uint8Array([0, 1, 2, 255]) }, { type: 'pong' as const, payload: 'p' }] };
    expect(gradeClient({ expect: expect_, observation: obs, rfc: ['5.6'] })).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    await peer.finished();
  });

  it('permessage-deflate: responds to the offer, compresses what it sends and inflates the echo (RFC 7692)', async () => {
    const h = await server();
    const c = echoClient(h.url, { perMessageDeflate: { threshold: 0 } });
    const peer = await h.next();
    await peer.respond({ deflate: true });
    expect(peer.deflate).not.toBeNull();
    const big = 'abc'.repeat(2000);
    await peer.sendMessage(1, big);
    await peer.sendMessage(1, big);
    expect(await peer.waitForMessages(2)).toBe(true);
    expect(c.ws.extensions).toMatch(/^permessage-deflate/);
    const obs = peer.observation();
    const msgs = obs.events.filter((e) => e.kind === 'message');
    expect(msgs.map((m) => (m.kind === 'message' ? Buffer.from(m.bytes!).toString() : ''))).toEqual([big, big]);
    // The client compressed its echoes (RSV1) and they went through the server-side stage.
    expect(peer.deflate!.stats.messagesIn).toBe(2);
    expect(peer.deflate!.stats.wireBytesOut).toBeLessThan(peer.deflate!.stats.plainBytesOut);
    expect(obs.events.filter((e) => e.kind === 'violation')).toEqual([]);
  });

  it("answers the client's own close by echoing its code, then closes TCP first", async () => {
    const h = await server();
    const c = echoClient(h.url);
    const peer = await h.next();
    await peer.respond();
    await new Promise<void>((r) => c.ws.once('open', () => r()));
    c.ws.close(4001, 'bye');
    expect(await c.closed).toBe(4001);
    await peer.waitForEnd(2000);
    const obs = peer.observation();
    expect(obs.closeSent).toMatchObject({ code: 4001, auto: true });
    expect(obs.tcpEnd).toMatchObject({ kind: 'server-close' });
  });

  it('an unmasked client frame is recorded as a violation (RFC 6455 §5.1) and graded unmasked-frame', async () => {
    const h = await server();
    const { c, peer } = await openedRawSession(h);
    await c.until(headEnd);
    c.socket.write(clientFrame(1, 'plain', false));
    expect(await peer.waitForMessages(1, 1000)).toBe(true);
    const obs = peer.observation();
    expect(obs.events[0]).toMatchObject({ kind: 'violation', violation: { id: 'unmasked-client-frame' } });
    expect(gradeClient({ expect: { kind: 'behave', receive: [text('plain')] }, observation: obs, rfc: ['5.1'] })).toMatchObject({ verdict: 'fail', reasonCode: 'unmasked-frame' });
  });

  it('a close the client never answers: close() ends within its timeout, TCP closed by us, graded no-close', async () => {
    const h = await server();
    const { c, peer } = await openedRawSession(h);
    await peer.sendMessage(1, 'x');
    const t0 = performance.now();
    await peer.close(1000, undefined, { timeoutMs: 300 });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1500);
    expect(await c.ended).toBe('end');
    const sent = frames(c.received().subarray(c.received().indexOf('\r\n\r\n') + 4));
    expect(sent.map((f) => [f.opcode, f.masked])).toEqual([[1, false], [8, false]]);
    const obs = peer.observation();
    expect(obs.tcpEnd?.kind).toBe('server-close');
    expect(gradeClient({ expect: { kind: 'behave', receive: [] }, observation: obs, rfc: ['5.5.1'] })).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
  });

  it('a client that closes TCP without answering our close fails no-close (RFC 6455 §5.5.1)', async () => {
    const h = await server();
    const { c, peer } = await openedRawSession(h);
    await c.until(headEnd);
    const closing = peer.close(1000);
    await c.until((b) => frames(b.subarray(b.indexOf('\r\n\r\n') + 4)).some((f) => f.opcode === 8));
    c.socket.end();
    await closing;
    const obs = peer.observation();
    expect(obs.tcpEnd?.kind).toBe('fin');
    const g = gradeClient({ expect: { kind: 'behave', receive: [] }, observation: obs, rfc: ['5.5.1'] });
    expect(g).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
    expect(g.observed).toMatch(/TCP fin from the client/);
  });

  it('every wait ends at the case deadline, whatever its own timeout', async () => {
    const h = await server(400);
    const { c, peer } = await openedRawSession(h);
    const t0 = performance.now();
    expect(await peer.waitForMessages(1, 60_000)).toBe(false);
    expect(await peer.waitForEnd(60_000)).toBe(false);
    await peer.pause(60_000);
    await peer.close(1000, undefined, { timeoutMs: 60_000 });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(peer.remainingMs()).toBe(0);
    peer.markTimedOut();
    expect(peer.observation().timedOut).toBe(true);
  });

  it("drop('reset') resets the connection; drop('fin') ends it; both recorded as the server's own end", async () => {
    const h = await server();
    const a = await rawClient(h.port);
    a.socket.write(requestHead(h.port));
    const pa = await h.next();
    await pa.respond();
    await a.until(headEnd);
    pa.drop('reset');
    expect(await a.ended).toBe('ECONNRESET');
    expect(pa.observation().tcpEnd).toMatchObject({ kind: 'server-close', detail: expect.stringMatching(/RST/) });
    const b = await rawClient(h.port);
    b.socket.write(requestHead(h.port));
    const pb = await h.next();
    await pb.respond();
    pb.drop('fin');
    expect(await b.ended).toBe('end');
    expect(pb.observation().tcpEnd).toMatchObject({ kind: 'server-close', detail: expect.stringMatching(/FIN/) });
    await pb.sendMessage(1, 'late');
    expect(pb.observation().writeErrors.at(-1)?.detail).toMatch(/not sent/);
  });

  it('destroy() ends TCP now and releases pending waits; the transcript shows both handshakes', async () => {
    const h = await server(5000);
    const { c, peer } = await openedRawSession(h);
    const waiting = peer.waitForMessages(1);
    peer.destroy();
    expect(await waiting).toBe(false);
    expect(peer.observation().tcpEnd).toMatchObject({ kind: 'server-close', detail: 'harness ended the case' });
    await peer.finished();
    const kinds = peer.transcript().entries.map((e) => `${e.dir} ${e.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['in handshake', 'out handshake', 'local tcp']));
  });
});

describe('WireServerPeer over TLS', () => {
  it('serves a wss: client the same way; a reset is a plain destroy there (Node resets only TCP handles)', async () => {
    const cert = makeSelfSignedCert();
    try {
      const h = await server(3000, cert);
      const c = echoClient(h.url, { rejectUnauthorized: false, perMessageDeflate: false });
      const peer = await h.next();
      await peer.respond();
      await peer.sendMessage(1, 'over tls');
      expect(await peer.waitForMessages(1)).toBe(true);
      await peer.close(1000);
      expect(await c.closed).toBe(1000);
      expect(peer.observation().tcpEnd?.kind).toBe('server-close');
      const d = echoClient(h.url, { rejectUnauthorized: false });
      const p2 = await h.next();
      await p2.respond();
      await new Promise<void>((r) => d.ws.once('open', () => r()));
      p2.drop('reset');
      expect(await d.closed).toBe(1006);
      expect(p2.observation().tcpEnd).toMatchObject({ kind: 'server-close', detail: expect.stringMatching(/RST/) });
      expect(p2.transcript().entries.some((e) => /RST not possible/.test(e.text ?? ''))).toBe(true);
    } finally {
      cert.cleanup();
    }
  });
});
