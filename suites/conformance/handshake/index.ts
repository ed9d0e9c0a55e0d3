// The opening-handshake area (RFC 6455 §4).
import type { ConformanceCase } from '../../define.js';
import { cases as key } from './key.case.js';
import { cases as negotiation } from './negotiation.case.js';
import { cases as requestLine } from './request-line.case.js';
import { cases as response } from './response.case.js';
import { cases as transport } from './transport.case.js';
import { cases as upgradeConnection } from './upgrade-connection.case.js';
import { cases as version } from './version.case.js';

export const cases: ConformanceCase[] = [...response, ...key, ...version, ...upgradeConnection, ...requestLine, ...negotiation, ...transport];
