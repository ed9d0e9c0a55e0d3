// The control-frame area of the client catalogue (RFC 6455 §5.5; Autobahn 2.x in client mode): the server
// catalogue's ping and pong cases, mirrored (a client answers pings and ignores unsolicited pongs as a server does),
// and a heartbeat between messages.
import { cases as ping } from '../../conformance/control/ping.case.js';
import { cases as pong } from '../../conformance/control/pong.case.js';
import type { ClientCase } from '../define.js';
import { mirror } from '../mirror.js';
import { cases as heartbeat } from './heartbeat.case.js';

export const cases: ClientCase[] = [...mirror(ping), ...heartbeat, ...mirror(pong)];
