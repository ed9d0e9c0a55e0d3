// RFC 8441 (WebSockets over HTTP/2): the http2 area, run only with --http2 (suites/conformance/index.ts keeps it
// out of the HTTP/1.1 catalogue). Rules each case checks: rules.ts; docs/http2.md lists them with their sections.
import type { ConformanceCase } from '../../define.js';
import { cases as connect } from './connect.case.js';
import { cases as response } from './response.case.js';
import { cases as settings } from './settings.case.js';
import { cases as streams } from './streams.case.js';

export const cases: ConformanceCase[] = [...settings, ...connect, ...response, ...streams];
