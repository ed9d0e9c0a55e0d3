// Which cases a run over HTTP/2 (RFC 8441) selects: every case that means the same on a stream (framing,
// fragmentation, control, close, UTF-8, masking, limits, deflate, misc: the WebSocket is unchanged, only its
// transport differs), plus the http2 area. Left out, not listed as not-run: the handshake area (HTTP/1.1's GET,
// Upgrade, Sec-WebSocket-Key and 101, which an Extended CONNECT replaces) and any case whose own handshake is
// HTTP/1.1-specific (raw bytes, a request line, a chopped head) or written by its script ('manual': it may send
// anything). A user asking for them over HTTP/2 gets a usage error naming why, as for any pattern that selects
// nothing.
import { h2NotApplicable } from '../../peers/raw/h2-request.js';
import { caseArea, type ConformanceCase } from '../../suites/define.js';

/** Why `c` does not run over HTTP/2, or null when it does. */
export function h2Exclusion(c: ConformanceCase): string | null {
  const area = caseArea(c.id);
  if (area === 'http2') return null;
  if (area === 'handshake') return 'the handshake area tests the HTTP/1.1 opening handshake (GET, Upgrade, Sec-WebSocket-Key, 101), which RFC 8441 replaces with an Extended CONNECT';
  if (c.handshake === 'manual') return 'its script sends its own HTTP/1.1 opening handshake';
  const reason = c.handshake !== undefined ? h2NotApplicable(c.handshake) : null;
  return reason !== null ? `its opening handshake is HTTP/1.1-specific: ${reason}` : null;
}

/** The cases of an HTTP/2 run, in report order: the HTTP/1.1 catalogue's that apply, then the http2 area. */
export function h2Catalogue(catalogue: readonly ConformanceCase[], http2Cases: readonly ConformanceCase[]): ConformanceCase[] {
  return [...catalogue.filter((c) => h2Exclusion(c) === null), ...http2Cases];
}
