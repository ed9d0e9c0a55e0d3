// The control-frame area (RFC 6455 §5.5; Autobahn 2.x).
import type { ConformanceCase } from '../../define.js';
import { cases as ping } from './ping.case.js';
import { cases as pong } from './pong.case.js';

export const cases: ConformanceCase[] = [...ping, ...pong];
