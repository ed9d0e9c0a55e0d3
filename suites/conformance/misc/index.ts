// Miscellaneous cases (Autobahn 10.x).
import type { ConformanceCase } from '../../define.js';
import { cases as autoFragmentation } from './auto-fragmentation.case.js';

export const cases: ConformanceCase[] = [...autoFragmentation];
