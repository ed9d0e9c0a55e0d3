// The close area (RFC 6455 §5.5.1, §7; Autobahn 7.x).
import type { ConformanceCase } from '../../define.js';
import { cases as basic } from './basic.case.js';
import { cases as codes } from './codes.case.js';
import { cases as invalid } from './invalid.case.js';

export const cases: ConformanceCase[] = [...basic, ...codes, ...invalid];
