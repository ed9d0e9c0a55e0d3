// RFC 6455 §4.2.1 step 5: "A |Sec-WebSocket-Key| header field with a base64-encoded (see Section 4 of
// [RFC4648]) value that, when decoded, is 16 bytes in length." A request that does not match §4.2.1 gets an
// error response. §4.2.2 adds that a server need not decode the key to compute the accept value; it still has to
// check it, or it answers requests no RFC 6455 client can send.
import { defineCase, type ConformanceCase } from '../../define.js';
import { closeIfOpened, refusal } from './common.js';

const keyCase = (id: string, title: string, edit: object, why: string, rfc = ['4.2.1']): ConformanceCase =>
  defineCase({
    id: `handshake.key.${id}`,
    title,
    rfc,
    autobahn: [],
    handshake: edit,
    expect: refusal(why),
    run: closeIfOpened,
  });

export const cases: ConformanceCase[] = [
  keyCase('missing', 'Request without Sec-WebSocket-Key is refused', { removeHeaders: ['Sec-WebSocket-Key'] }, 'no key to answer'),
  keyCase(
    'not-base64',
    'Sec-WebSocket-Key that is not base64 is refused',
    { key: '!!not*base64*at+all!!!==' },
    'the key is not base64 (RFC 4648 §4)',
  ),
  keyCase(
    '15-bytes',
    'Sec-WebSocket-Key decoding to 15 bytes is refused',
    { key: Buffer.from(Array.from({ length: 15 }, (_, i) => i + 1)).toString('base64') },
    'the key decodes to 15 bytes, not 16',
  ),
  keyCase(
    '17-bytes',
    'Sec-WebSocket-Key decoding to 17 bytes is refused',
    { key: Buffer.from(Array.from({ length: 17 }, (_, i) => i + 1)).toString('base64') },
    'the key decodes to 17 bytes, not 16',
  ),
  keyCase(
    'empty',
    'Empty Sec-WebSocket-Key is refused',
    { replaceHeaders: [['Sec-WebSocket-Key', '']] },
    'the key is empty',
  ),
  keyCase(
    'two-keys',
    'Two Sec-WebSocket-Key header fields are refused',
    { addHeaders: [['Sec-WebSocket-Key', 'AQIDBAUGBwgJCgsMDQ4PEA==']] },
    'RFC 6455 §11.3.1: "The |Sec-WebSocket-Key| header field MUST NOT appear more than once in an HTTP request"',
    ['4.2.1', '11.3.1'],
  ),
];
