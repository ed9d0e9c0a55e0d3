// The conformance catalogue: every area's cases, in report order. Ids are unique (checked here, at load time).
// The http2 area (RFC 8441) is apart: its cases need an HTTP/2 stream, so only `wsprobe test --http2` selects them
// (with the CATALOGUE cases that mean the same over a stream, runners/conformance/h2-select.ts).
import type { ConformanceCase } from '../define.js';
import { cases as close } from './close/index.js';
import { cases as control } from './control/index.js';
import { cases as deflate } from './deflate/index.js';
import { cases as fragmentation } from './fragmentation/index.js';
import { cases as framing } from './framing/index.js';
import { cases as handshake } from './handshake/index.js';
import { cases as http2 } from './http2/index.js';
import { cases as limits } from './limits/index.js';
import { cases as masking } from './masking/index.js';
import { cases as misc } from './misc/index.js';
import { cases as utf8 } from './utf8/index.js';

export const CATALOGUE: readonly ConformanceCase[] = [
  ...handshake,
  ...framing,
  ...control,
  ...fragmentation,
  ...utf8,
  ...close,
  ...masking,
  ...limits,
  ...misc,
  ...deflate,
];

/** RFC 8441 cases: run only over HTTP/2, never part of CATALOGUE. */
export const HTTP2_CASES: readonly ConformanceCase[] = http2;

const seen = new Set<string>();
for (const c of [...CATALOGUE, ...HTTP2_CASES]) {
  if (seen.has(c.id)) throw new Error(`duplicate conformance case id ${c.id}`);
  seen.add(c.id);
}
