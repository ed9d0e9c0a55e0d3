// The conformance catalogue: every area's cases, in report order. Ids are unique (checked here, at load time).
import type { ConformanceCase } from '../define.js';
import { cases as close } from './close/index.js';
import { cases as control } from './control/index.js';
import { cases as deflate } from './deflate/index.js';
import { cases as fragmentation } from './fragmentation/index.js';
import { cases as framing } from './framing/index.js';
import { cases as handshake } from './handshake/index.js';
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

const seen = new Set<string>();
for (const c of CATALOGUE) {
  if (seen.has(c.id)) throw new Error(`duplicate conformance case id ${c.id}`);
  seen.add(c.id);
}
