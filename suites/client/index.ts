// The client catalogue (`wsprobe test-client`): every area's cases, in report order. The runner numbers the selected
// cases 1.. in this order (one client connection per case). Ids are unique (checked here, at load time).
import type { ClientCase } from './define.js';
import { cases as close } from './close/index.js';
import { cases as control } from './control/index.js';
import { cases as deflate } from './deflate/index.js';
import { cases as fragmentation } from './fragmentation/index.js';
import { cases as framing } from './framing/index.js';
import { cases as handshake } from './handshake/index.js';
import { cases as limits } from './limits/index.js';
import { cases as utf8 } from './utf8/index.js';

/** The areas, in report order; each case id starts with its area's name. */
export const CLIENT_AREAS: Readonly<Record<string, readonly ClientCase[]>> = {
  handshake,
  framing,
  control,
  fragmentation,
  utf8,
  close,
  limits,
  deflate,
};

export const CLIENT_CATALOGUE: readonly ClientCase[] = Object.values(CLIENT_AREAS).flat();

const seen = new Set<string>();
for (const c of CLIENT_CATALOGUE) {
  if (seen.has(c.id)) throw new Error(`duplicate client case id ${c.id}`);
  seen.add(c.id);
}
