// Every close code an endpoint may send (RFC 6455 §7.4.1: 1000-1003, 1007-1011; 1012-1014 registered with IANA
// since; §7.4.2: 3000-3999 registered, 4000-4999 private use): the target answers with the same code or 1000 and
// closes TCP (Autobahn 7.7.x).
import { closeNormally, defineCase, echo, type ConformanceCase } from '../../define.js';

const VALID: [number, string[]][] = [
  [1000, ['7.7.1']],
  [1001, ['7.7.2']],
  [1002, ['7.7.3']],
  [1003, ['7.7.4']],
  [1007, ['7.7.5']],
  [1008, ['7.7.6']],
  [1009, ['7.7.7']],
  [1010, ['7.7.8']],
  [1011, ['7.7.9']],
  [1012, []],
  [1013, []],
  [1014, []],
  [3000, ['7.7.10']],
  [3999, ['7.7.11']],
  [4000, ['7.7.12']],
  [4999, ['7.7.13']],
];

export const cases: ConformanceCase[] = VALID.map(([code, autobahn]) =>
  defineCase({
    id: `close.code.${code}`,
    title: `A close frame with valid code ${code} is answered with ${code} or 1000`,
    rfc: ['7.4.1', '7.4.2', '5.5.1'],
    autobahn,
    expect: echo([], { codes: code === 1000 ? [1000] : [code, 1000] }),
    run: (peer) => closeNormally(peer, code),
  }),
);
