// The permessage-deflate area of the client catalogue (RFC 7692; Autobahn 12.x in client mode): responses the
// client must refuse or accept, compressed round trips, and the frame rules within an agreement.
import type { ClientCase } from '../define.js';
import { cases as messages } from './messages.case.js';
import { cases as negotiation } from './negotiation.case.js';

export const cases: ClientCase[] = [...negotiation, ...messages];
