// Autobahn 13.x: compressed JSON messages under each combination of the offer's parameters (RFC 7692 §7.1:
// server_no_context_takeover, server_max_window_bits 9 and 15, a list of offers) with our own compressor keeping
// to the same choice (Autobahn's "accept": no context takeover, a 9- or 15-bit window), plus combinations Autobahn
// lacks: client_no_context_takeover, client_max_window_bits=9, the smallest window (8) and everything at once.
// The response must fit the offer (the raw peer checks it, RFC 7692 §7), and the target must keep to what it
// agreed: our inflater resets its context when server_no_context_takeover was agreed and inflates with the agreed
// window, so a target that takes over context, or reaches further back, fails to inflate (1007 on our side).
// An offered server_max_window_bits=15 left out of the response is the same window: accepted, noted as a deviation.
// The 8-bit window is one a server may be unable to serve: declining it is right (unimplemented), refusing the
// handshake instead is non-strict.
import type { ConformanceCase } from '../../define.js';
import type { DeflateStageOptions } from '../../../peers/raw/deflate-stage.js';
import { messageCount } from './payloads.case.js';
import { autobahnRange, DEFAULT_OFFER, deflateEchoCase, offer } from './support.js';

interface Combo {
  name: string;
  title: string;
  offer: string;
  stage?: DeflateStageOptions;
  /** Autobahn group, when Autobahn has this combination. */
  autobahn?: string;
  /** What a server may be unable to serve in the offer: it must decline, a refusal is non-strict (`declinable`). */
  declinable?: string;
}

const T9: DeflateStageOptions = { noContextTakeover: true, maxWindowBits: 9 };

export const COMBOS: readonly Combo[] = [
  { name: 'default', title: 'the default offer', offer: DEFAULT_OFFER, autobahn: '13.1' },
  {
    name: 'no-takeover',
    title: 'server_no_context_takeover offered, and no context takeover on our side',
    offer: offer({ serverNoContextTakeover: true }),
    stage: { noContextTakeover: true },
    autobahn: '13.2',
  },
  {
    name: 'window-9',
    title: 'server_max_window_bits=9 offered, and a 9-bit window on our side',
    offer: offer({ serverMaxWindowBits: 9 }),
    stage: { maxWindowBits: 9 },
    autobahn: '13.3',
  },
  {
    name: 'window-15',
    title: 'server_max_window_bits=15 offered',
    offer: offer({ serverMaxWindowBits: 15 }),
    stage: { maxWindowBits: 15 },
    autobahn: '13.4',
  },
  {
    name: 'no-takeover-window-9',
    title: 'server_no_context_takeover and server_max_window_bits=9 offered, the same on our side',
    offer: offer({ serverNoContextTakeover: true, serverMaxWindowBits: 9 }),
    stage: T9,
    autobahn: '13.5',
  },
  {
    name: 'no-takeover-window-15',
    title: 'server_no_context_takeover and server_max_window_bits=15 offered, the same on our side',
    offer: offer({ serverNoContextTakeover: true, serverMaxWindowBits: 15 }),
    stage: { noContextTakeover: true, maxWindowBits: 15 },
    autobahn: '13.6',
  },
  {
    name: 'list',
    title: 'a list of offers: (no takeover, window 9), (no takeover), (default); the first acceptable is taken',
    offer: [
      offer({ serverNoContextTakeover: true, serverMaxWindowBits: 9 }),
      offer({ serverNoContextTakeover: true }),
      DEFAULT_OFFER,
    ].join(', '),
    stage: T9,
    autobahn: '13.7',
  },
  {
    name: 'client-no-takeover',
    title: 'client_no_context_takeover offered (we compress each message on its own)',
    offer: offer({ clientNoContextTakeover: true }),
  },
  {
    name: 'client-window-9',
    title: 'client_max_window_bits=9 offered (we compress with a 9-bit window; the target inflates with it)',
    offer: offer({ clientMaxWindowBits: 9 }),
  },
  {
    name: 'window-8',
    title: 'server_max_window_bits=8 and client_max_window_bits=8 offered (the smallest windows)',
    offer: offer({ serverMaxWindowBits: 8, clientMaxWindowBits: 8 }),
    declinable: 'server_max_window_bits=8',
  },
  {
    name: 'all',
    title: 'every parameter: no context takeover both ways, 9-bit windows both ways',
    offer: offer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 9 }),
  },
];

/** [size, fragment size or 0, first and last Autobahn sub-case covered]. */
const SIZES: readonly [size: number, fragment: number, from: number, to: number][] = [
  [64, 0, 1, 2],
  [1024, 0, 3, 4],
  [32768, 0, 5, 8],
  [131072, 0, 9, 10],
  [131072, 256, 11, 15],
  [131072, 4096, 16, 18],
];

export const cases: ConformanceCase[] = COMBOS.flatMap((combo) =>
  SIZES.map(([size, fragment, from, to]) => {
    const count = messageCount(size);
    return deflateEchoCase({
      id: `deflate.negotiate.offer-${combo.name}.json-${size}.${fragment > 0 ? `fragment-${fragment}` : 'unfragmented'}`,
      title: `${count} compressed text messages of ${size} code points of JSON${fragment > 0 ? ` in frames of ${fragment} compressed bytes` : ''}, with ${combo.title}`,
      autobahn: combo.autobahn ? autobahnRange(combo.autobahn, from, to) : [],
      kind: 'json',
      size,
      count,
      offer: combo.offer,
      ...(combo.stage ? { stage: combo.stage } : {}),
      ...(fragment > 0 ? { fragmentSize: fragment } : {}),
      ...(combo.declinable !== undefined ? { declinable: combo.declinable } : {}),
      rfc: [...(combo.declinable !== undefined ? ['7692 7.1.2.1'] : []), '7692 7.1', '7692 7.2.1', '7692 7.2.2'],
    });
  }),
);
