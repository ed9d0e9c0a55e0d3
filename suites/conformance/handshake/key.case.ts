// RFC 6455 §4.2.1 step 5: "A |Sec-WebSocket-Key| header field with a base64-encoded (see Section 4 of
// [RFC4648]) value that, when decoded, is 16 bytes in length." A request that does not match §4.2.1 gets an
// error response.
//
// Strictness (issue 12, ruling 1): §4.2.2 /key/ adds "It is not necessary for the server to base64-decode the
// |Sec-WebSocket-Key| value": the key's only use is the accept value, computed from the string as sent. So a server
// that answers 101 to a key that is not base64 or does not decode to 16 bytes is non-strict (no RFC 6455 client
// sends such a key, and §4.2.1 describes it), not a fail. A missing key leaves nothing to answer, and two keys
// break §11.3.1's MUST: both stay refusals, and a 101 to them fails.
import { defineCase, type ConformanceCase, type NonStrictStatus } from '../../define.js';
import { closeIfOpened, refusal } from './common.js';

/** A 101 to a malformed single key: allowed, since the server need not decode it (§4.2.2 /key/). */
const MAY_ACCEPT_MALFORMED_KEY: NonStrictStatus = {
  status: [101],
  why: 'accepted a Sec-WebSocket-Key that §4.2.1 step 5 does not describe; allowed, since RFC 6455 §4.2.2 /key/: "It is not necessary for the server to base64-decode the |Sec-WebSocket-Key| value"',
};

const keyCase = (id: string, title: string, edit: object, why: string, opts: { rfc?: string[]; malformedValue?: boolean } = {}): ConformanceCase =>
  defineCase({
    id: `handshake.key.${id}`,
    title,
    rfc: opts.rfc ?? ['4.2.1'],
    autobahn: [],
    handshake: edit,
    expect: refusal(why, opts.malformedValue === true ? { alsoNonStrict: [MAY_ACCEPT_MALFORMED_KEY] } : {}),
    run: closeIfOpened,
  });

const malformed = { rfc: ['4.2.1', '4.2.2'], malformedValue: true };

export const cases: ConformanceCase[] = [
  keyCase('missing', 'Request without Sec-WebSocket-Key is refused', { removeHeaders: ['Sec-WebSocket-Key'] }, 'no key to answer'),
  keyCase(
    'not-base64',
    'Sec-WebSocket-Key that is not base64 is refused (accepting it is non-strict)',
    { key: '!!not*base64*at+all!!!==' },
    'the key is not base64 (RFC 4648 §4)',
    malformed,
  ),
  keyCase(
    '15-bytes',
    'Sec-WebSocket-Key decoding to 15 bytes is refused (accepting it is non-strict)',
    { key: Buffer.from(Array.from({ length: 15 }, (_, i) => i + 1)).toString('base64') },
    'the key decodes to 15 bytes, not 16',
    malformed,
  ),
  keyCase(
    '17-bytes',
    'Sec-WebSocket-Key decoding to 17 bytes is refused (accepting it is non-strict)',
    { key: Buffer.from(Array.from({ length: 17 }, (_, i) => i + 1)).toString('base64') },
    'the key decodes to 17 bytes, not 16',
    malformed,
  ),
  keyCase(
    'empty',
    'Empty Sec-WebSocket-Key is refused (accepting it is non-strict)',
    { replaceHeaders: [['Sec-WebSocket-Key', '']] },
    'the key is empty',
    malformed,
  ),
  keyCase(
    'two-keys',
    'Two Sec-WebSocket-Key header fields are refused',
    { addHeaders: [['Sec-WebSocket-Key', 'AQIDBAUGBwgJCgsMDQ4PEA==']] },
    'RFC 6455 §11.3.1: "The |Sec-WebSocket-Key| header field MUST NOT appear more than once in an HTTP request"',
    { rfc: ['4.2.1', '11.3.1'] },
  ),
];
