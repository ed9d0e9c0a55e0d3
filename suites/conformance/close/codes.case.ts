// Every close code an endpoint may send (RFC 6455 §7.4.1: 1000-1003, 1007-1011; 1012-1014 registered with IANA
// since; §7.4.2: 3000-3999 registered, 4000-4999 private use): the target answers with the same code or 1000 and
// closes TCP (Autobahn 7.7.x). Another valid code in the answer is non-strict (§5.5.1: the endpoint "typically
// echos the status code it received").
//
// 1012-1014 are defined by the IANA registry (§11.7), not by RFC 6455: §7.4.2 only reserves 1000-2999 "for
// definition by this protocol, its future revisions, and extensions". A server written to RFC 6455 alone treats
// them like 1016 and refuses them with 1002 (or a TCP drop): non-strict (issue 12, ruling 5), not a failure.
import { closeNormally, defineWireCase, echo, type CloseRule, type ConformanceCase } from '../../define.js';

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

const registeredLater = (code: number): boolean => code >= 1012 && code <= 1014;

function rule(code: number, target: 'server' | 'client'): CloseRule {
  const codes = code === 1000 ? [1000] : [code, 1000];
  if (!registeredLater(code)) return { codes };
  const why = `close code ${code} is in the IANA registry (RFC 6455 §11.7) but not in RFC 6455 itself, whose §7.4.2 only reserves 1000-2999 "for definition by this protocol, its future revisions, and extensions": a ${target} that knows RFC 6455 alone may take it for an undefined code`;
  return { codes, refusal: { codes: [1002], why } };
}

/** The cases against a server or a client under test: only the reason for a refused 1012-1014 names the role. */
export function closeCodeCases(target: 'server' | 'client'): ConformanceCase[] {
  return VALID.map(([code, autobahn]) =>
    defineWireCase({
      id: `close.code.${code}`,
      title: `A close frame with valid code ${code} is answered with ${code === 1000 ? code : `${code} or 1000`}${registeredLater(code) ? ' (refusing it with 1002 is non-strict: IANA-registered after RFC 6455)' : ''}`,
      rfc: registeredLater(code) ? ['7.4.2', '11.7', '5.5.1'] : ['7.4.1', '7.4.2', '5.5.1'],
      autobahn,
      expect: echo([], rule(code, target)),
      run: (peer) => closeNormally(peer, code),
    }),
  );
}

export const cases: ConformanceCase[] = closeCodeCases('server');
