// The limits area (RFC 6455 §5.2, §7.4.1, §10.4; Autobahn 9.x).
import type { ConformanceCase } from '../../define.js';
import { cases as policy } from './policy.case.js';
import { cases as roundTrips } from './round-trips.case.js';
import { cases as sizes } from './sizes.case.js';

export const cases: ConformanceCase[] = [...sizes, ...roundTrips, ...policy];
