// permessage-deflate cases (RFC 7692; Autobahn 12.x and 13.x, and rules Autobahn does not test).
import type { ConformanceCase } from '../../define.js';
import { cases as frames } from './frames.case.js';
import { cases as negotiation } from './negotiation.case.js';
import { cases as parameters } from './parameters.case.js';
import { cases as payloads } from './payloads.case.js';

export const cases: ConformanceCase[] = [...payloads, ...parameters, ...negotiation, ...frames];
