// One HTTP/2 request on a connection of its own, framed by hand: for the header blocks node:http2 will not send as
// they are (an Extended CONNECT without :scheme, :path or :authority, or before the server's
// SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441 §3, §4; malformed blocks, RFC 7540 §8.1.2). It sends the preface and
// our SETTINGS (RFC 7540 §3.5), the block as literals (hpack.ts), and reads until the answer: a response block,
// RST_STREAM, GOAWAY, the connection's end or the timeout. Then it cancels the stream and closes the connection:
// such a request is graded on its answer, no WebSocket is run on it.
import net from 'node:net';
import tls from 'node:tls';
import type { H2HeaderList } from '../../protocol/h2/headers.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import { CLIENT_PREFACE, decodeSettings, encodeH2Frame, encodeSettings, Flag, FrameType, H2FrameReader, headerFragment, readUint32, Setting } from './h2-frames.js';
import { encodeHeaderBlock, HpackDecoder, HpackError } from './hpack.js';
import { H2ErrorCode } from '../../protocol/h2/close.js';

export interface WireRequestOptions {
  url: URL;
  tls?: { ca?: string | Buffer; caFile?: string; insecure?: boolean; servername?: string };
  block: H2HeaderList;
  /** Send the request only after the server's SETTINGS (default), or right behind the preface. */
  waitForSettings?: boolean;
  timeoutMs: number;
}

export interface WireRequestResult {
  /** The server's first SETTINGS, as received; null when none arrived. */
  settings: [id: number, value: number][] | null;
  response?: { headers: H2HeaderList; endStream: boolean };
  /** RST_STREAM's error code for our stream, when it was reset before a response. */
  rstCode?: number;
  goaway?: { code: number; lastStreamId: number };
  /** No answer: why. */
  failure?: 'timeout' | 'closed' | 'error';
  detail?: string;
  /** The HPACK-encoded block as sent (for replays and the transcript's length). */
  encoded: Uint8Array;
}

const STREAM = 1;

/** Sends `block` as the first request on a new connection and reports the answer; never rejects. */
export function sendWireRequest(opts: WireRequestOptions): Promise<WireRequestResult> {
  const { url } = opts;
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const encoded = encodeHeaderBlock(opts.block);
  return new Promise((resolve) => {
    const result: WireRequestResult = { settings: null, encoded };
    let socket: net.Socket;
    if (secure) {
      const o = { ...buildTlsConnectOptions(url, { ca: opts.tls?.ca, caFile: opts.tls?.caFile, insecure: opts.tls?.insecure }), ALPNProtocols: ['h2'] };
      if (opts.tls?.servername !== undefined) o.servername = opts.tls.servername;
      socket = tls.connect(o);
    } else socket = net.connect({ host: hostOf(url), port: portOf(url) });
    const reader = new H2FrameReader();
    const decoder = new HpackDecoder();
    let sent = false;
    let done = false;
    let fragments: Uint8Array[] | null = null;
    let fragmentFlags = 0;
    const finish = (patch: Partial<WireRequestResult> = {}): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      Object.assign(result, patch);
      if (!socket.destroyed && socket.writable) {
        // RFC 7540 §8.1: a client may cancel a request it no longer needs; then GOAWAY(NO_ERROR) ends the connection.
        if (sent && result.rstCode === undefined && !(result.response?.endStream ?? false)) socket.write(encodeH2Frame(FrameType.RstStream, 0, STREAM, u32(H2ErrorCode.Cancel)));
        socket.write(encodeH2Frame(FrameType.Goaway, 0, 0, Buffer.concat([u32(sent ? STREAM : 0), u32(H2ErrorCode.NoError)])));
        socket.end();
      }
      setImmediate(() => socket.destroy());
      resolve(result);
    };
    const timer = setTimeout(() => finish({ failure: 'timeout', detail: `no answer to the request within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    const sendRequest = (): void => {
      if (sent) return;
      sent = true;
      socket.write(encodeH2Frame(FrameType.Headers, Flag.EndHeaders, STREAM, encoded));
    };
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (secure && (socket as tls.TLSSocket).alpnProtocol !== 'h2') {
        finish({ failure: 'error', detail: 'the server did not agree to h2 by ALPN' });
        return;
      }
      // Our SETTINGS: no push (RFC 7540 §8.2); the defaults otherwise.
      socket.write(Buffer.concat([CLIENT_PREFACE, encodeH2Frame(FrameType.Settings, 0, 0, encodeSettings([[Setting.EnablePush, 0]]))]));
      if (opts.waitForSettings === false) sendRequest();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ failure: 'error', detail: err.code ?? err.message }));
    socket.on('close', () => finish({ failure: 'closed', detail: 'the connection closed before an answer' }));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        if (done) return;
        switch (frame.type) {
          case FrameType.Settings:
            if (frame.flags & Flag.Ack) break;
            result.settings ??= decodeSettings(frame.payload);
            socket.write(encodeH2Frame(FrameType.Settings, Flag.Ack, 0));
            sendRequest();
            break;
          case FrameType.Ping:
            if (!(frame.flags & Flag.Ack)) socket.write(encodeH2Frame(FrameType.Ping, Flag.Ack, 0, frame.payload));
            break;
          case FrameType.Goaway: {
            const goaway = { code: readUint32(frame.payload, 4), lastStreamId: readUint32(frame.payload) & 0x7fffffff };
            result.goaway = goaway;
            // RFC 7540 §6.8: a stream above the last id was never processed; ours below it may still be answered.
            if (!sent || goaway.lastStreamId < STREAM) finish({ failure: 'closed', detail: `GOAWAY (error code ${goaway.code}) before an answer` });
            break;
          }
          case FrameType.RstStream:
            if (frame.streamId === STREAM) finish({ rstCode: readUint32(frame.payload) });
            break;
          case FrameType.Headers:
          case FrameType.Continuation: {
            if (frame.streamId !== STREAM) break;
            if (frame.type === FrameType.Headers) {
              fragments = [];
              fragmentFlags = frame.flags;
            }
            fragments?.push(headerFragment(frame));
            if (!(frame.flags & Flag.EndHeaders)) break;
            let headers: H2HeaderList;
            try {
              headers = decoder.decode(Buffer.concat(fragments ?? []));
            } catch (err) {
              if (!(err instanceof HpackError)) throw err;
              finish({ failure: 'error', detail: `the response block does not decode: ${err.message}` });
              return;
            }
            fragments = null;
            const status = headers.find(([n]) => n === ':status')?.[1] ?? '';
            // RFC 7540 §8.1: informational (1xx) blocks come before the final response; 101 is answered as final.
            if (/^1\d\d$/.test(status) && status !== '101') break;
            finish({ response: { headers, endStream: (fragmentFlags & Flag.EndStream) !== 0 } });
            return;
          }
          default:
            break;
        }
      }
      if (reader.error !== null) finish({ failure: 'error', detail: reader.error });
    });
  });
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
