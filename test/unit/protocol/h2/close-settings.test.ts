// RFC 8441 §5's mapping of transport ends to END_STREAM / RST_STREAM, §3's setting rules, and the header-list
// helpers the peers use to talk to node:http2.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H2ErrorCode, h2ErrorName, streamEndFor, transportEndOf, type StreamEnd } from '../../../../protocol/h2/close.js';
import { headerListFromObject, headerListFromRaw, headerListToObject, h2Value } from '../../../../protocol/h2/headers.js';
import { h2Citation } from '../../../../protocol/h2/rejections.js';
import { checkEnableConnectSetting, checkExtendedConnectAllowed } from '../../../../protocol/h2/settings.js';

const received = (end: StreamEnd): { endStream: boolean; rstCode: number | null } =>
  end.frame === 'END_STREAM' ? { endStream: true, rstCode: null } : { endStream: false, rstCode: end.code };

describe('stream ends (RFC 8441 §5)', () => {
  it('sends END_STREAM for a FIN and RST_STREAM(CANCEL) for a reset, and reads each back as it was', () => {
    expect(streamEndFor('fin')).toEqual({ frame: 'END_STREAM' });
    expect(streamEndFor('reset')).toEqual({ frame: 'RST_STREAM', code: H2ErrorCode.Cancel });
    fc.assert(
      fc.property(fc.constantFrom('fin' as const, 'reset' as const), (end) => {
        expect(transportEndOf(received(streamEndFor(end)))).toBe(end);
      }),
    );
  });

  it('reads any RST_STREAM with an error code as a reset, with or without END_STREAM before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.boolean(), (code, endStream) => {
        expect(transportEndOf({ endStream, rstCode: code })).toBe('reset');
      }),
    );
  });

  it('reads RST_STREAM(NO_ERROR) after END_STREAM as orderly (RFC 7540 §8.1), before it as a reset', () => {
    expect(transportEndOf({ endStream: true, rstCode: H2ErrorCode.NoError })).toBe('fin');
    expect(transportEndOf({ endStream: false, rstCode: H2ErrorCode.NoError })).toBe('reset');
    expect(transportEndOf({ endStream: false, rstCode: null })).toBe('reset');
  });

  it('names the RFC 7540 §7 codes and gives unknown ones in hex', () => {
    expect(h2ErrorName(H2ErrorCode.Cancel)).toBe('CANCEL');
    expect(h2ErrorName(H2ErrorCode.Http11Required)).toBe('HTTP_1_1_REQUIRED');
    expect(h2ErrorName(0x1f)).toBe('0x1f');
  });
});

describe('SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3)', () => {
  it('lets a client send an Extended CONNECT only after the server sent 1', () => {
    expect(checkExtendedConnectAllowed({ enableConnectProtocol: true })).toEqual({ ok: true });
    for (const s of [undefined, {}, { enableConnectProtocol: false }]) {
      expect(checkExtendedConnectAllowed(s)).toMatchObject({ ok: false, id: 'connect-protocol-not-enabled', rfc: '8441 3' });
    }
  });

  it('accepts exactly 0 and 1, and never 0 after 1', () => {
    fc.assert(
      fc.property(fc.constantFrom(undefined, 0, 1), fc.nat(), (previous, next) => {
        const e = checkEnableConnectSetting(previous, next);
        if (next > 1) expect(e).toMatchObject({ id: 'setting-not-boolean', errorCode: H2ErrorCode.ProtocolError });
        else if (previous === 1 && next === 0) expect(e).toMatchObject({ id: 'setting-withdrawn', errorCode: H2ErrorCode.ProtocolError });
        else expect(e).toBeNull();
      }),
    );
  });
});

describe('header lists', () => {
  it('round-trips Node raw headers and objects, keeping repeated fields', () => {
    const raw = [':status', '200', 'x-a', '1', 'x-a', '2'];
    const list = headerListFromRaw(raw);
    expect(list).toEqual([
      [':status', '200'],
      ['x-a', '1'],
      ['x-a', '2'],
    ]);
    expect(h2Value(list, 'x-a')).toBe('1, 2');
    expect(headerListToObject(list)).toEqual({ ':status': '200', 'x-a': ['1', '2'] });
    expect(headerListFromObject({ 'x-a': ['1', '2'], ':status': 200, 'x-b': undefined })).toEqual(list);
  });

  it('cites RFC 6455 for bare sections and the named RFC otherwise', () => {
    expect(h2Citation('4.2.2')).toBe('RFC 6455 §4.2.2');
    expect(h2Citation('8441 5')).toBe('RFC 8441 §5');
    expect(h2Citation('7540 8.1.2.2')).toBe('RFC 7540 §8.1.2.2');
  });
});
