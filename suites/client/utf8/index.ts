// The UTF-8 area of the client catalogue (RFC 6455 §8.1; Autobahn 6.x in client mode): the server catalogue's UTF-8
// cases, mirrored (fail-fast with the chopped frame unmasked, as a server sends it), and invalid text that starts in a
// later fragment. Left out: the one-byte-per-frame variant of every test vector (vectors.case.ts sends each twice);
// utf8.valid.byte-frames, utf8.invalid.byte-frames and the fail-fast cases already test a client's validator across
// frames, and each client case costs a connection through a driver, a browser for one.
import { failFastCases } from '../../conformance/utf8/fail-fast.case.js';
import { cases as messages } from '../../conformance/utf8/messages.case.js';
import { cases as vectors } from '../../conformance/utf8/vectors.case.js';
import type { ClientCase } from '../define.js';
import { mirror } from '../mirror.js';
import { cases as laterFragment } from './messages.case.js';

export const cases: ClientCase[] = [...mirror(messages), ...laterFragment, ...mirror(failFastCases(null)), ...mirror(vectors, /\.byte-frames$/)];
