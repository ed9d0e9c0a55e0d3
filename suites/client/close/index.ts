// The close area of the client catalogue (RFC 6455 §5.5.1, §7; Autobahn 7.x in client mode): the server catalogue's
// closing-handshake, close-code and invalid-close cases, mirrored (our close is the server's: we close TCP once the
// client answered, §7.1.1), and a server that drops TCP without a closing handshake.
import { cases as basic } from '../../conformance/close/basic.case.js';
import { closeCodeCases } from '../../conformance/close/codes.case.js';
import { cases as invalid } from '../../conformance/close/invalid.case.js';
import type { ClientCase } from '../define.js';
import { mirror } from '../mirror.js';
import { cases as transport } from './transport.case.js';

export const cases: ClientCase[] = [...mirror(basic), ...mirror(closeCodeCases('client')), ...mirror(invalid), ...transport];
