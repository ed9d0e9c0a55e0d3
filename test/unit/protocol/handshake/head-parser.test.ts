import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpHeadParser, headerValue, headerValues, type HeadParseResult } from '../../../../protocol/handshake/head-parser.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const parse = (s: string, opts?: ConstructorParameters<typeof HttpHeadParser>[0]): HeadParseResult =>
  new HttpHeadParser(opts).push(enc(s));

const REQUEST = 'GET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade:  websocket \r\nX-A: 1\r\nx-a: 2\r\n\r\n';

describe('HttpHeadParser', () => {
  it('parses a request line, headers (trimmed, in order) and the end', () => {
    const r = parse(REQUEST);
    expect(r.state).toBe('done');
    if (r.state !== 'done') return;
    expect(r.head.method).toBe('GET');
    expect(r.head.target).toBe('/chat?x=1');
    expect(r.head.version).toEqual({ major: 1, minor: 1 });
    expect(r.head.headers).toEqual([['Host', 'example.com'], ['Upgrade', 'websocket'], ['X-A', '1'], ['x-a', '2']]);
    expect(headerValues(r.head, 'x-a')).toEqual(['1', '2']);
    expect(headerValue(r.head, 'X-A')).toBe('1, 2');
    expect(headerValue(r.head, 'missing')).toBeUndefined();
    expect(r.rest.length).toBe(0);
  });

  it('parses a status line, with or without a reason phrase', () => {
    const r = parse('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
    expect(r.state === 'done' && [r.head.status, r.head.statusText]).toEqual([101, 'Switching Protocols']);
    const r2 = parse('HTTP/1.1 101\r\n\r\n');
    expect(r2.state === 'done' && [r2.head.status, r2.head.statusText]).toEqual([101, '']);
    const r3 = parse('HTTP/1.1 404 \r\n\r\n');
    expect(r3.state === 'done' && r3.head.status).toBe(404);
  });

  it('returns the bytes after the head as rest (frames in the same packet)', () => {
    const frame = [0x81, 0x02, 0x68, 0x69];
    const bytes = new Uint8Array([...enc('HTTP/1.1 101 OK\r\n\r\n'), ...frame]);
    const r = new HttpHeadParser().push(bytes);
    expect(r.state === 'done' && [...r.rest]).toEqual(frame);
  });

  it('gives the same head for every split into chunks, and partial before the end', () => {
    const bytes = enc(`${REQUEST}tail`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new HttpHeadParser();
      const a = p.push(bytes.subarray(0, cut));
      const b = a.state === 'done' ? a : p.push(bytes.subarray(cut));
      if (cut < REQUEST.length) expect(a.state).toBe('partial');
      expect(b.state).toBe('done');
      if (b.state === 'done') {
        expect(b.head.headers.length).toBe(4);
        const rest = a.state === 'done' ? new Uint8Array([...a.rest, ...bytes.subarray(cut)]) : b.rest;
        expect(Buffer.from(rest).toString()).toBe('tail');
      }
    }
  });

  it('passes later pushes through as rest once done', () => {
    const p = new HttpHeadParser();
    expect(p.push(enc('HTTP/1.1 101 OK\r\n\r\n')).state).toBe('done');
    const r = p.push(new Uint8Array([1, 2]));
    expect(r.state === 'done' && [...r.rest]).toEqual([1, 2]);
  });

  it('ignores empty lines before the start line (RFC 7230 §3.5)', () => {
    expect(parse('\r\n\r\nGET / HTTP/1.1\r\n\r\n').state).toBe('done');
  });

  it('accepts HTTP/2.0 and HTTP/1.0 in the version field (the checks decide)', () => {
    const r = parse('GET / HTTP/2.0\r\n\r\n');
    expect(r.state === 'done' && r.head.version).toEqual({ major: 2, minor: 0 });
  });

  it.each([
    ['bare LF', 'GET / HTTP/1.1\nHost: a\r\n\r\n', /bare LF/],
    ['bare LF ending the head', 'GET / HTTP/1.1\r\nHost: a\r\n\n', /bare LF/],
    ['bare CR', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', /bare CR/],
    ['obs-fold', 'GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n', /obs-fold/],
    ['tab obs-fold', 'GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n', /obs-fold/],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', /not a token/],
    ['no colon', 'GET / HTTP/1.1\r\nHost a\r\n\r\n', /colon/],
    ['empty name', 'GET / HTTP/1.1\r\n: a\r\n\r\n', /colon/],
    ['non-token name', 'GET / HTTP/1.1\r\nX(y): a\r\n\r\n', /not a token/],
    ['control in value', 'GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n', /control/],
    ['two spaces in request line', 'GET  / HTTP/1.1\r\n\r\n', /request line/],
    ['missing version', 'GET /\r\n\r\n', /request line/],
    ['bad version', 'GET / HTTP/1.11\r\n\r\n', /request line/],
    ['lowercase http', 'GET / http/1.1\r\n\r\n', /request line/],
    ['bad method', 'G(T / HTTP/1.1\r\n\r\n', /request line/],
    ['bad status code', 'HTTP/1.1 1O1 OK\r\n\r\n', /status line/],
    ['status without space', 'HTTP/1.1101 OK\r\n\r\n', /status line/],
    ['four digit status', 'HTTP/1.1 1011 OK\r\n\r\n', /status line/],
  ])('rejects %s with 400', (_name, text, re) => {
    const r = parse(text);
    expect(r.state).toBe('error');
    if (r.state === 'error') {
      expect(r.status).toBe(400);
      expect(r.message).toMatch(re);
    }
  });

  it('rejects a head larger than maxHeadBytes with 431, even before its end arrives', () => {
    const p = new HttpHeadParser({ maxHeadBytes: 64 });
    expect(p.push(enc('GET / HTTP/1.1\r\n')).state).toBe('partial');
    const r = p.push(enc(`X: ${'a'.repeat(100)}`));
    expect(r.state === 'error' && r.status).toBe(431);
    // final: later pushes keep the error
    expect(p.push(enc('\r\n\r\n'))).toEqual(r);
  });

  it('accepts a head of exactly maxHeadBytes', () => {
    const text = 'GET / HTTP/1.1\r\nX: abc\r\n\r\n';
    expect(parse(text, { maxHeadBytes: text.length }).state).toBe('done');
    expect(parse(text, { maxHeadBytes: text.length - 1 }).state).toBe('error');
  });

  it('rejects more than maxHeaders header fields with 431', () => {
    const text = `GET / HTTP/1.1\r\n${'X: 1\r\n'.repeat(4)}\r\n`;
    expect(parse(text, { maxHeaders: 4 }).state).toBe('done');
    const r = parse(text, { maxHeaders: 3 });
    expect(r.state === 'error' && r.status).toBe(431);
  });

  it('gives the same result for every split of any input, errors included', () => {
    // Inputs from pieces that reach every branch: bare CR and LF, CR at a chunk end, obs-fold, limits.
    const piece = fc.constantFrom('\r', '\n', '\r\n', ' ', '\t', ':', 'a', 'X: 1', 'GET / HTTP/1.1', 'HTTP/1.1 101 OK', '\x00', '\xff');
    const settle = (p: HttpHeadParser, chunks: Uint8Array[]): { result: HeadParseResult; rest: number[] } => {
      const rest: number[] = [];
      let result: HeadParseResult = { state: 'partial' };
      for (const c of chunks) {
        result = p.push(c);
        if (result.state === 'done') rest.push(...result.rest);
      }
      return { result: result.state === 'done' ? { ...result, rest: new Uint8Array(0) } : result, rest };
    };
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(200)), fc.integer({ min: 4, max: 80 }), (pieces, cutsRaw, maxHeadBytes) => {
        const bytes = enc(pieces.join(''));
        const cuts = [...new Set(cutsRaw.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
        const chunks = [0, ...cuts].map((c, i) => bytes.subarray(c, i < cuts.length ? cuts[i] : bytes.length));
        const whole = settle(new HttpHeadParser({ maxHeadBytes, maxHeaders: 3 }), [bytes]);
        const split = settle(new HttpHeadParser({ maxHeadBytes, maxHeaders: 3 }), chunks);
        expect(split).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps obs-text (0x80-0xff) in values as latin1', () => {
    const r = parse('GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n');
    expect(r.state === 'done' && headerValue(r.head, 'x')).toBe('caf\xe9');
  });
});
