// The masking area (RFC 6455 §5.1, §5.3).
import type { ConformanceCase } from '../../define.js';
import { cases as masking } from './masking.case.js';

export const cases: ConformanceCase[] = [...masking];
