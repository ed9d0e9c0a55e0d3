// The opening-handshake area of the client catalogue (RFC 6455 §4.1): responses the client must refuse, unusual
// but valid ones it must accept, and its own request.
import type { ClientCase } from '../define.js';
import { cases as acceptance } from './acceptance.case.js';
import { cases as refusals } from './refusals.case.js';

export const cases: ClientCase[] = [...acceptance, ...refusals];
