// The UTF-8 area (RFC 6455 §8.1; Autobahn 6.x).
import type { ConformanceCase } from '../../define.js';
import { cases as failFast } from './fail-fast.case.js';
import { cases as messages } from './messages.case.js';
import { cases as vectors } from './vectors.case.js';

export const cases: ConformanceCase[] = [...messages, ...failFast, ...vectors];
