// The framing area (RFC 6455 §5.2; Autobahn 1.x, 3.x, 4.x).
import type { ConformanceCase } from '../../define.js';
import { cases as messages } from './messages.case.js';
import { cases as opcodes } from './opcodes.case.js';
import { cases as reservedBits } from './reserved-bits.case.js';

export const cases: ConformanceCase[] = [...messages, ...reservedBits, ...opcodes];
