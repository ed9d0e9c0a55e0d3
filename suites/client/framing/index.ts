// The framing area of the client catalogue (RFC 6455 §5.1, §5.2; Autobahn 1.x, 3.x, 4.x in client mode): the server
// catalogue's length-boundary, reserved-bit and reserved-opcode cases and its 64-bit length with the top bit set,
// mirrored; a non-minimal length; and the client-only rule that a server must not mask (masked.case.ts). Left out:
// the server catalogue's extra chop variants of the length boundaries and of RSV after a message, beyond
// Autobahn's 1.1.8/1.2.8 and 3.2-3.4 (each client case costs a connection through a driver, a browser for one).
import { cases as messages } from '../../conformance/framing/messages.case.js';
import { cases as opcodes } from '../../conformance/framing/opcodes.case.js';
import { cases as reservedBits } from '../../conformance/framing/reserved-bits.case.js';
import { cases as policy } from '../../conformance/limits/policy.case.js';
import type { ClientCase } from '../define.js';
import { mirror, mirrorOne } from '../mirror.js';
import { cases as length } from './length.case.js';
import { cases as masked } from './masked.case.js';

export const cases: ClientCase[] = [
  ...mirror(messages, /\.(len-65535\.chop-997|len-125\.byte-chops|len-128\.chop-7)$/),
  ...length,
  // A frame rule rather than a limit on the client's side: filed under framing, as first published.
  mirrorOne(policy, 'limits.length-64bit-msb-set', 'framing.length.64bit-msb-set'),
  ...masked,
  ...mirror(reservedBits, ['framing.rsv-1.after-message', 'framing.rsv-7.after-message.byte-chops']),
  ...mirror(opcodes),
];
