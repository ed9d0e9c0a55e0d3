// An incremental HTTP/1.x head parser (RFC 7230 §3) for both sides of the opening handshake. It stops at the
// blank line and hands back whatever followed it (`rest`): a client may pipeline frames after its request and a
// server may send frames right after its 101 (RFC 6455 §4.2.2: "the server may begin sending").
//
// Line endings are strict: RFC 7230 §3.5 lets a recipient accept a bare LF ("MAY recognize a single LF"), but a
// conformance harness should report what a peer actually sent, so a bare LF (or a bare CR, which §3.5 says a
// recipient MUST treat as invalid or replace) is a 400. Empty lines before the start line are ignored, as §3.5
// says a server SHOULD, and count against the size limit.

export interface HttpHead {
  startLine: string;
  /** Request heads. */
  method?: string;
  target?: string;
  /** Response heads. */
  status?: number;
  statusText?: string;
  version: { major: number; minor: number };
  /** In order of arrival; names as sent, values trimmed of OWS. */
  headers: [name: string, value: string][];
}

export type HeadParseResult =
  | { state: 'partial' }
  | { state: 'done'; head: HttpHead; rest: Uint8Array }
  | { state: 'error'; status: 400 | 431; message: string };

export interface HttpHeadParserOptions {
  /** Bytes up to and including the blank line; more is a 431. Default 16384. */
  maxHeadBytes?: number;
  /** Header fields; more is a 431. Default 100. */
  maxHeaders?: number;
}

const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;
const VERSION_RE = /^HTTP\/(\d)\.(\d)$/;
const METHOD_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 7230 §3.1.1: request-target has no whitespace or controls. */
const TARGET_RE = /^[\x21-\x7e\x80-\xff]+$/;
/** RFC 7230 §3.2: field-value = *( field-vchar / SP / HTAB / obs-text ); no other controls. */
const FIELD_VALUE_BAD_RE = /[\x00-\x08\x0a-\x1f\x7f]/;
const REASON_BAD_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

export class HttpHeadParser {
  private readonly maxHeadBytes: number;
  private readonly maxHeaders: number;
  /** A Buffer, so each line becomes a string with one native latin1 decode. */
  private buf: Buffer = EMPTY;
  private used = 0;
  /** Start of the line being scanned, and how far the scan for its LF has got. */
  private lineStart = 0;
  private scan = 0;
  private head: HttpHead | null = null;
  private result: HeadParseResult | null = null;

  constructor(opts: HttpHeadParserOptions = {}) {
    this.maxHeadBytes = opts.maxHeadBytes ?? 16384;
    this.maxHeaders = opts.maxHeaders ?? 100;
  }

  /**
   * Feeds bytes. Once the head is complete (or failed) the result is final: later pushes return the same error,
   * or `done` with the new bytes as `rest` (they belong to the frame stream).
   */
  push(bytes: Uint8Array): HeadParseResult {
    if (this.result !== null) {
      if (this.result.state === 'done') return { state: 'done', head: this.result.head, rest: bytes };
      return this.result;
    }
    this.append(bytes);
    const r = this.parseLines();
    if (r.state !== 'partial') this.result = r;
    return r;
  }

  private append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) {
      // Never buffer more than the limit plus one chunk: the remainder of the chunk may be `rest`.
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + bytes.length, 256));
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /**
   * Finds line ends with native byte searches rather than a loop per byte. Errors are reported at the byte where
   * a byte-by-byte scan would find them: the first of a bare CR (judged on the byte after it, so a CR at the end of
   * one chunk is judged by the next), a bare LF, or the byte past the size limit.
   */
  private parseLines(): HeadParseResult {
    const buf = this.buf;
    const used = this.used;
    while (this.scan < used) {
      // The buffer is larger than `used`: matches past it are stale bytes.
      let lf = buf.indexOf(LF, this.scan);
      if (lf >= used) lf = -1;
      const end = lf < 0 ? used : lf;
      // Only a CR at scan - 1 can be left over from the previous push (its successor had not arrived).
      let cr = buf.indexOf(CR, Math.max(this.lineStart, this.scan - 1));
      if (cr >= end) cr = -1;
      // The index at which each error would be found; Infinity when it is not in these bytes.
      const bareCr = cr >= 0 && cr + 1 < end ? cr + 1 : Infinity;
      const bareLf = lf >= 0 && (lf === this.lineStart || buf[lf - 1] !== CR) ? lf : Infinity;
      const last = lf < 0 ? used - 1 : lf;
      const tooBig = this.maxHeadBytes <= last ? this.maxHeadBytes : Infinity;
      if (bareCr <= tooBig && bareCr !== Infinity) return this.fail(400, 'RFC 7230 §3.5: bare CR in the head');
      if (bareLf <= tooBig && bareLf !== Infinity) return this.fail(400, 'RFC 7230 §3.5: bare LF as a line terminator (CRLF required)');
      if (tooBig !== Infinity) return this.tooBig();
      if (lf < 0) {
        this.scan = used;
        break;
      }
      this.scan = lf + 1;
      const line = buf.toString('latin1', this.lineStart, lf - 1);
      this.lineStart = this.scan;
      const r = this.line(line);
      if (r !== null) return r;
    }
    return { state: 'partial' };
  }

  /** One complete line (without CRLF). Returns a final result, or null to go on. */
  private line(line: string): HeadParseResult | null {
    if (this.head === null) {
      if (line.length === 0) return null; // RFC 7230 §3.5: ignore empty lines before the start line
      const head = parseStartLine(line);
      if (typeof head === 'string') return this.fail(400, head);
      this.head = head;
      return null;
    }
    if (line.length === 0) {
      const rest = new Uint8Array(this.buf.subarray(this.scan, this.used));
      this.buf = EMPTY;
      return { state: 'done', head: this.head, rest };
    }
    // RFC 7230 §3.2.4: "A server that receives an obs-fold in a request message ... MUST either reject the
    // message by sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP".
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) {
      return this.fail(400, 'RFC 7230 §3.2.4: obsolete line folding (obs-fold) in a header field');
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return this.fail(400, `RFC 7230 §3.2: header line without a field name and colon: ${preview(line)}`);
    const name = line.slice(0, colon);
    // RFC 7230 §3.2.4: "No whitespace is allowed between the header field-name and colon."
    if (!HEADER_NAME_RE.test(name)) return this.fail(400, `RFC 7230 §3.2: header field name is not a token: ${preview(name)}`);
    const value = trimOws(line, colon + 1);
    if (FIELD_VALUE_BAD_RE.test(value)) {
      return this.fail(400, `RFC 7230 §3.2: control character in the value of ${name}`);
    }
    if (this.head.headers.length >= this.maxHeaders) {
      return this.fail(431, `RFC 6585 §5: more than ${this.maxHeaders} header fields`);
    }
    this.head.headers.push([name, value]);
    return null;
  }

  private tooBig(): HeadParseResult {
    return this.fail(431, `RFC 6585 §5: head larger than ${this.maxHeadBytes} bytes`);
  }

  private fail(status: 400 | 431, message: string): HeadParseResult {
    this.buf = EMPTY;
    this.used = 0;
    return { state: 'error', status, message };
  }
}

function parseStartLine(line: string): HttpHead | string {
  if (line.startsWith('HTTP/')) {
    // RFC 7230 §3.1.2: status-line = HTTP-version SP status-code SP reason-phrase. A missing SP before an empty
    // reason is accepted: many servers send "HTTP/1.1 101" and the meaning is unambiguous.
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) return `RFC 7230 §3.1.2: malformed status line: ${preview(line)}`;
    const v = VERSION_RE.exec(line.slice(0, sp1));
    const codeText = line.slice(sp1 + 1, sp1 + 4);
    const after = line.slice(sp1 + 4);
    if (v === null || !/^\d{3}$/.test(codeText) || (after.length > 0 && after[0] !== ' ')) {
      return `RFC 7230 §3.1.2: malformed status line: ${preview(line)}`;
    }
    const statusText = after.slice(1);
    if (REASON_BAD_RE.test(statusText)) return `RFC 7230 §3.1.2: control character in the reason phrase`;
    return {
      startLine: line,
      status: Number(codeText),
      statusText,
      version: { major: Number(v[1]), minor: Number(v[2]) },
      headers: [],
    };
  }
  // RFC 7230 §3.1.1: request-line = method SP request-target SP HTTP-version
  const parts = line.split(' ');
  if (parts.length !== 3) return `RFC 7230 §3.1.1: malformed request line: ${preview(line)}`;
  const [method, target, version] = parts as [string, string, string];
  const v = VERSION_RE.exec(version);
  if (!METHOD_RE.test(method) || !TARGET_RE.test(target) || v === null) {
    return `RFC 7230 §3.1.1: malformed request line: ${preview(line)}`;
  }
  return { startLine: line, method, target, version: { major: Number(v[1]), minor: Number(v[2]) }, headers: [] };
}

/** `line` from `start`, without leading and trailing SP / HTAB (RFC 7230 §3.2: OWS around a field value). */
function trimOws(line: string, start: number): string {
  let a = start;
  let b = line.length;
  while (a < b && (line.charCodeAt(a) === 0x20 || line.charCodeAt(a) === 0x09)) a++;
  while (b > a && (line.charCodeAt(b - 1) === 0x20 || line.charCodeAt(b - 1) === 0x09)) b--;
  return line.slice(a, b);
}

function preview(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
}

/** Every value of the header `name` (ASCII case-insensitive), in order. */
export function headerValues(head: HttpHead, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of head.headers) if (n.length === want.length && n.toLowerCase() === want) out.push(v);
  return out;
}

/** The values of `name` joined with ', ' (RFC 7230 §3.2.2), or undefined when absent. */
export function headerValue(head: HttpHead, name: string): string | undefined {
  const vs = headerValues(head, name);
  return vs.length === 0 ? undefined : vs.join(', ');
}
