// Dispatch of `wsprobe test-client` connections by request line: Autobahn's endpoints, /case/<id>, /next, the plain
// HTTP paths, and what is rejected (404, 405) with one line of why.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentName, caseNumber, isWebSocketRoute, parseRoute } from '../../../../runners/test-client/routes.js';

describe('parseRoute', () => {
  it.each([
    ['/getCaseCount', { kind: 'case-count' }],
    ['/runCase?case=3&agent=ws', { kind: 'run-case', number: 3, agent: 'ws' }],
    ['/runCase?case=12', { kind: 'run-case', number: 12 }],
    ['/getCaseInfo?case=1', { kind: 'case-info', number: 1 }],
    ['/updateReports?agent=my%20client', { kind: 'update-reports', agent: 'my_client' }],
    ['/next?agent=chromium', { kind: 'next', agent: 'chromium' }],
    ['/case/close.basic.normal?agent=x', { kind: 'case-id', id: 'close.basic.normal', agent: 'x' }],
    ['/case/a%2Eb', { kind: 'case-id', id: 'a.b' }],
    ['http://127.0.0.1:9001/getCaseCount', { kind: 'case-count' }],
  ])('routes the WebSocket endpoint %s', (target, route) => {
    const r = parseRoute('GET', target);
    expect(r).toEqual(route);
    expect(isWebSocketRoute(r)).toBe(true);
  });

  it.each([
    ['GET', '/', { kind: 'page' }],
    ['GET', '/client.html?agent=chromium', { kind: 'page', agent: 'chromium' }],
    ['GET', '/status', { kind: 'status' }],
    ['POST', '/report?agent=b&case=4', { kind: 'report', agent: 'b', number: 4, done: false }],
    ['POST', '/report?agent=b&done=1', { kind: 'report', agent: 'b', done: true }],
  ])('routes the plain HTTP endpoint %s %s', (method, target, route) => {
    const r = parseRoute(method, target);
    expect(r).toEqual(route);
    expect(isWebSocketRoute(r)).toBe(false);
  });

  it.each([
    ['GET', '/runCase', 404],
    ['GET', '/runCase?case=0', 404],
    ['GET', '/runCase?case=-1', 404],
    ['GET', '/runCase?case=01', 404],
    ['GET', '/runCase?case=1.5', 404],
    ['GET', '/getCaseInfo?case=x', 404],
    ['GET', '/case/', 404],
    ['GET', '/case/%E0%A4%A', 404],
    ['GET', '/nope', 404],
    ['GET', '/getcasecount', 404],
    ['POST', '/status', 405],
    ['GET', '/report', 405],
    ['PUT', '/client.html', 405],
  ])('rejects %s %s with %i', (method, target, status) => {
    const r = parseRoute(method, target);
    expect(r.kind).toBe('reject');
    if (r.kind === 'reject') {
      expect(r.status).toBe(status);
      expect(r.why).not.toMatch(/\n/);
    }
  });

  it('every case number from 1 round-trips through /runCase and /getCaseInfo', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), (n) => {
        expect(parseRoute('GET', `/runCase?case=${n}&agent=a`)).toEqual({ kind: 'run-case', number: n, agent: 'a' });
        expect(parseRoute('GET', `/getCaseInfo?case=${n}`)).toEqual({ kind: 'case-info', number: n });
      }),
    );
  });

  it('never throws, and always yields a route, whatever the target', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'HEAD'), fc.string({ maxLength: 60 }), (method, s) => {
        const r = parseRoute(method, s.startsWith('/') ? s : `/${s}`);
        expect(typeof r.kind).toBe('string');
      }),
    );
  });
});

describe('agentName and caseNumber', () => {
  it('agent names are printable ASCII without quotes or angle brackets, at most 64 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100, unit: 'grapheme' }), (raw) => {
        const a = agentName(raw);
        if (a === undefined) return;
        expect(a.length).toBeLessThanOrEqual(64);
        expect(a).toMatch(/^[\x21-\x7e]+$/);
        expect(a).not.toMatch(/["'<>&\\]/);
      }),
    );
    expect(agentName('ws')).toBe('ws');
    expect(agentName('  ')).toBeUndefined();
    expect(agentName(null)).toBeUndefined();
  });

  it('case numbers are positive decimals without sign or leading zeros', () => {
    expect(caseNumber('7')).toBe(7);
    for (const bad of ['0', '07', '+7', '7e0', '', ' 7', '1234567890']) expect(caseNumber(bad)).toBeNaN();
    expect(caseNumber(null)).toBeNaN();
  });
});
