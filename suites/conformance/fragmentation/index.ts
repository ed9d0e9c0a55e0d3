// The fragmentation area (RFC 6455 §5.4; Autobahn 5.x).
import type { ConformanceCase } from '../../define.js';
import { cases as messages } from './messages.case.js';
import { cases as violations } from './violations.case.js';

export const cases: ConformanceCase[] = [...messages, ...violations];
