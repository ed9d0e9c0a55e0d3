// The reference client (peers/client/) as a client under test: it validates the opening handshake completely (RFC
// 6455 §4.1, RFC 7692 §7 for its permessage-deflate offer) and fails the connection on every violation, so it
// should pass every client case; a case it fails is a finding against the case, the grader or the client. It runs
// through the same Autobahn loop as the other Node clients, behind a WHATWG-style face: messages come as strings
// or ArrayBuffers, and the library answers pings and closes itself.
import { connectClient, type ReferenceClient } from '../../../peers/client/reference-client.js';
import { autobahnLoop, oneLine, type OpenWebSocket, type WebSocketLike } from './autobahn-loop.js';
import type { Driver, DriverContext } from './types.js';

/** One reference-client connection as a WebSocketLike: the events the loop listens to, sends, and a close. */
function openReference(ctx: DriverContext): OpenWebSocket {
  return (url) => {
    let client: ReferenceClient | null = null;
    let abandoned = false;
    const ws: WebSocketLike = {
      binaryType: 'arraybuffer',
      onmessage: null,
      onclose: null,
      onerror: null,
      send(data) {
        if (client === null) throw new Error('not open');
        if (typeof data === 'string') client.sendText(data);
        else client.sendBinary(new Uint8Array(data));
      },
      // The loop closes only to give up (a timeout, the run's end): the connection is dropped, not closed politely.
      close() {
        abandoned = true;
        client?.terminate();
      },
    };
    connectClient(url, { deflate: true, insecure: ctx.secure, handshakeTimeoutMs: ctx.caseTimeoutMs, closeTimeoutMs: 2000 }).then(
      (c) => {
        client = c;
        if (abandoned) {
          c.terminate();
          return;
        }
        c.on('message', (m) => ws.onmessage?.({ data: m.type === 'text' ? m.data : m.data.slice().buffer }));
        c.on('error', ({ error }) => ws.onerror?.({ error }));
        void c.closed.then((info) => ws.onclose?.({ code: info.code, reason: info.reason, wasClean: info.wasClean }));
      },
      (err: unknown) => {
        ws.onerror?.({ message: `handshake failed: ${oneLine(err)}` });
        // As a browser reports a failed opening handshake: close 1006, not clean.
        ws.onclose?.({ code: 1006, reason: '', wasClean: false });
      },
    );
    return { ws };
  };
}

export function referenceDriver(): Driver {
  return {
    name: 'reference',
    async prepare() {},
    run: (ctx) => autobahnLoop(openReference(ctx), ctx),
  };
}
