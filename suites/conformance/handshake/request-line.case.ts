// RFC 6455 §4.2.1 step 1: "An HTTP/1.1 or higher GET request, including a "Request-URI" [RFC2616] that should be
// interpreted as a /resource name/ defined in Section 3 (or an absolute HTTP/HTTPS URI containing the /resource
// name/)." Step 2: "A |Host| header field containing the server's authority."
import { defineCase, type ConformanceCase, type Peer } from '../../define.js';
import { acceptance, closeIfOpened, probeEcho, refusal } from './common.js';

const method = (name: string): ConformanceCase =>
  defineCase({
    id: `handshake.method.${name.toLowerCase()}`,
    title: `${name} request with WebSocket headers is refused`,
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { method: name },
    expect: refusal(`method ${name} is not GET (405 Method Not Allowed fits, RFC 7231 §6.5.5)`),
    run: closeIfOpened,
  });

/** The target's own resource name with a query added, so a server serving one path still recognises it. */
function withQuery(url: URL): string {
  return `${url.pathname}${url.search === '' ? '?' : `${url.search}&`}wsprobe=1&q=a%20b`;
}

export const cases: ConformanceCase[] = [
  method('POST'),
  method('HEAD'),
  method('PUT'),
  defineCase({
    id: 'handshake.http.1-0',
    title: 'HTTP/1.0 request is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { httpVersion: 'HTTP/1.0' },
    expect: refusal('HTTP/1.0 is below the required HTTP/1.1'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.host.missing',
    title: 'Request without Host is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { removeHeaders: ['Host'] },
    expect: refusal('no Host (also RFC 7230 §5.4: "A server MUST respond with a 400 ... to any HTTP/1.1 request ... that lacks a Host")'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.path.query-string',
    title: 'Request-URI with a query string is accepted',
    rfc: ['3', '4.2.1'],
    autobahn: [],
    handshake: 'manual',
    // RFC 6455 §3: resource-name = path [ "?" query ]; the query is part of the resource name, not an error.
    expect: acceptance(),
    async run(peer: Peer, ctx) {
      await peer.handshake({ path: withQuery(peer.url) });
      await probeEcho(peer, ctx);
    },
  }),
  defineCase({
    id: 'handshake.request.absolute-uri',
    title: 'Request-URI in absolute form (http://host/path) is accepted',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: 'manual',
    expect: acceptance({
      nonStrict: {
        status: 'reject',
        why: 'RFC 6455 §4.2.1 step 1 allows "an absolute HTTP/HTTPS URI", and RFC 7230 §5.3.2: "a server MUST accept the absolute-form in requests"',
      },
    }),
    async run(peer: Peer, ctx) {
      const scheme = peer.url.protocol === 'wss:' ? 'https:' : 'http:';
      await peer.handshake({ path: `${scheme}//${peer.url.host}${peer.url.pathname}${peer.url.search}` });
      await probeEcho(peer, ctx);
    },
  }),
];
