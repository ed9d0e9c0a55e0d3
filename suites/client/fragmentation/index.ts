// The fragmentation area of the client catalogue (RFC 6455 §5.4; Autobahn 5.x in client mode): the server
// catalogue's fragmentation cases, mirrored, and a message in many fragments. Left out, as for every area: the server
// catalogue's extra variants of a rule Autobahn's cases already test (more chop sizes, more empty-fragment shapes),
// since each client case costs a connection through a driver, a browser for one.
import { cases as messages } from '../../conformance/fragmentation/messages.case.js';
import { cases as violations } from '../../conformance/fragmentation/violations.case.js';
import type { ClientCase } from '../define.js';
import { mirror } from '../mirror.js';
import { cases as many } from './messages.case.js';

export const cases: ClientCase[] = [
  ...mirror(messages, [
    'fragmentation.binary.two-fragments.frame-chops',
    'fragmentation.binary.two-fragments.byte-chops',
    'fragmentation.text.two-fragments.chop-5',
    'fragmentation.text.pings-and-pause.byte-chops',
    'fragmentation.text.empty-middle-fragment',
  ]),
  ...many,
  ...mirror(violations, ['fragmentation.text.unfinished-then-text.frame-chops']),
];
