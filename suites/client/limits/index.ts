// The limits area of the client catalogue (RFC 6455 §5.2, §5.4, §10.4; Autobahn 9.x in client mode): the server
// catalogue's large-message and round-trip cases, mirrored, up to 4 MiB (a client library in a browser or an app
// should cope with that much); the 8 and 16 MiB messages, the other fragment and chop sizes of 9.3-9.6 and the other
// message sizes of 9.7-9.8 are left to the server catalogue (each client case costs a connection through a driver).
// A client that refuses a large message with 1009 or 1008 (a limit of its own, §10.4) is non-strict, not failed.
import { cases as roundTrips } from '../../conformance/limits/round-trips.case.js';
import { cases as sizes } from '../../conformance/limits/sizes.case.js';
import type { ClientCase } from '../define.js';
import { mirror, mirrorOne } from '../mirror.js';

export const cases: ClientCase[] = [
  ...mirror(sizes, /\.size-(8|16)m$|\.4m\.frames-(?!64k$)|\.1m\.chop-(?!1024$)/),
  // First published under these ids, without the size (16 bytes, Autobahn 9.7.2 and 9.8.2).
  mirrorOne(roundTrips, 'limits.text.round-trips-1000.size-16', 'limits.text.round-trips-1000'),
  mirrorOne(roundTrips, 'limits.binary.round-trips-1000.size-16', 'limits.binary.round-trips-1000'),
];
