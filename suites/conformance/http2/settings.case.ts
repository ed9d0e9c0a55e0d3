// RFC 8441 §3: the server opts in to the Extended CONNECT with SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 in its
// SETTINGS; "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the Extended
// CONNECT". Without it :protocol is a pseudo-header field the connection never agreed to, so a request carrying it
// is malformed (RFC 7540 §8.1.2.1, RFC 8441 §6): a server that did not send the setting but accepts an Extended
// CONNECT anyway is caught by sending one regardless, on a connection of its own (node:http2 would not send it).
import { closeNormally, type ConformanceCase } from '../../define.js';
import { defineH2Case } from './rules.js';
import { OPENED } from './support.js';

export const cases: ConformanceCase[] = [
  defineH2Case({
    id: 'http2.settings.enable-connect-protocol',
    title: "The server's SETTINGS carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, and an Extended CONNECT is accepted",
    rfc: ['8441 3', '7540 8.1.2.1'],
    autobahn: [],
    handshake: 'manual',
    rule: 'RFC 8441 §3: a client may use the Extended CONNECT only "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1"',
    expect: {
      kind: 'handshake',
      status: OPENED,
      allowDrop: false,
      requireMetrics: [
        {
          name: 'accepted-without-setting',
          equals: 0,
          why: 'RFC 7540 §8.1.2.1: "Endpoints MUST treat a request or response that contains undefined or invalid pseudo-header fields as malformed"; the target never sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, so :protocol is undefined on its connections (RFC 8441 §3, §6), yet it accepted an Extended CONNECT',
        },
        {
          name: 'enable-connect-protocol',
          equals: 1,
          why: 'RFC 8441 §3: a client MAY use the Extended CONNECT only "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1"; the target never sent it, so no client may open a WebSocket over its HTTP/2',
        },
      ],
    },
    async run(peer) {
      const advertised = peer.http2?.enableConnectProtocol === true;
      peer.metric('enable-connect-protocol', advertised ? 1 : 0);
      if (!advertised) peer.note('the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: the Extended CONNECT is sent anyway, to see whether it is refused');
      const hs = await peer.handshake(advertised ? {} : { h2: { ignoreSettings: true } });
      peer.metric('accepted-without-setting', !advertised && hs.status !== undefined && hs.status >= 200 && hs.status <= 299 ? 1 : 0);
      if (hs.ok && !peer.ended) await closeNormally(peer);
    },
  }),
];
