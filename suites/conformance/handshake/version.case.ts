// RFC 6455 §4.2.1 step 6: "A |Sec-WebSocket-Version| header field, with a value of 13."
// §4.2.2 /version/: "If this version does not match a version understood by the server, the server MUST abort the
// WebSocket handshake ... and instead send an appropriate HTTP error code (such as 426 Upgrade Required) and a
// |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of understanding."
// §4.4: "If the server doesn't support the requested version, it MUST respond with a |Sec-WebSocket-Version|
// header field ... containing all versions it is willing to use."
//
// Grading of an unsupported version: the status is "appropriate ... such as 426", and §4.4's own example answers
// 400, so any 4xx passes; the Sec-WebSocket-Version header listing 13 is a MUST in both sections, so a refusal
// without it fails (a client cannot learn what to retry with). A 101 fails.
// A missing version, two of them (§11.3.5: "MUST NOT appear more than once in an HTTP request"), a list, or a value
// that is not a version at all (§4.3: version = 0-255, so "websocket-13" names no version a server could support
// or not; issue 12, ruling 2) are malformed requests rather than unsupported versions: any 4xx passes, the header
// is not required (§4.4 asks for it only "If the server doesn't support the requested version").
import { defineCase, type ConformanceCase, type NonStrictStatus } from '../../define.js';
import { closeIfOpened, refusal } from './common.js';

const LISTS_13 = [{ name: 'Sec-WebSocket-Version', hasToken: '13' }];

const unsupported = (id: string, version: string, alsoNonStrict: NonStrictStatus[] = []): ConformanceCase =>
  defineCase({
    id: `handshake.version.${id}`,
    title: `Sec-WebSocket-Version ${JSON.stringify(version)} is refused with a Sec-WebSocket-Version: 13 header`,
    rfc: ['4.2.1', '4.2.2', '4.4'],
    autobahn: [],
    handshake: { version },
    expect: refusal(`version ${JSON.stringify(version)} is not 13`, { requireHeaders: LISTS_13, alsoNonStrict }),
    run: closeIfOpened,
  });

/** A request whose version header is missing, repeated or malformed: any 4xx, no Sec-WebSocket-Version required. */
const malformed = (id: string, title: string, handshake: object, why: string, rfc: string[]): ConformanceCase =>
  defineCase({ id: `handshake.version.${id}`, title, rfc, autobahn: [], handshake, expect: refusal(why), run: closeIfOpened });

export const cases: ConformanceCase[] = [
  // Version 8 is the hybi-08 draft, which some servers (ws among them) still speak: §4.2.2 asks a server to refuse
  // only a version it does not understand, so accepting 8 is allowed, but not what an RFC 6455 server should do.
  unsupported('8', '8', [
    { status: [101], why: 'accepted draft version 8 (hybi-08): allowed for a server that still implements that draft (§4.2.2 "a version understood by the server"), not for an RFC 6455-only server' },
  ]),
  unsupported('14', '14'),
  malformed(
    'garbage',
    'Sec-WebSocket-Version "websocket-13" (not a version token) is refused; no Sec-WebSocket-Version needed',
    { version: 'websocket-13' },
    'RFC 6455 §4.3: version = DIGIT | (NZDIGIT DIGIT) | ("1" DIGIT DIGIT) | ("2" DIGIT DIGIT); "websocket-13" is no version, so §4.4\'s header for an unsupported one is not required',
    ['4.2.1', '4.3', '4.4'],
  ),
  malformed('missing', 'Request without Sec-WebSocket-Version is refused', { removeHeaders: ['Sec-WebSocket-Version'] }, 'no Sec-WebSocket-Version', ['4.2.1']),
  malformed(
    'two-headers',
    'Two Sec-WebSocket-Version header fields are refused',
    { addHeaders: [['Sec-WebSocket-Version', '13']] },
    'RFC 6455 §11.3.5: Sec-WebSocket-Version "MUST NOT appear more than once in an HTTP request"',
    ['4.2.1', '11.3.5'],
  ),
  malformed(
    'list',
    'Sec-WebSocket-Version "13, 8" (a list) is refused',
    { version: '13, 8' },
    'RFC 6455 §4.3: Sec-WebSocket-Version-Client = version, a single value',
    ['4.2.1', '4.3'],
  ),
];
