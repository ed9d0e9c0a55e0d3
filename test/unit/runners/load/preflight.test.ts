import { describe, expect, it } from 'vitest';
import { checkLimits, readSystemLimits } from '../../../../runners/load/preflight.js';
import { parseSourceIps } from '../../../../runners/load/source-ips.js';

const LIMITS = { nofileSoft: 20_000, nofileHard: 20_000, portLow: 32768, portHigh: 60999 };

describe('pre-flight limits check', () => {
  it('passes a run that fits', () => {
    expect(checkLimits({ connections: 50_000, workers: 4, sourceIps: 2, serverProcesses: 4 }, LIMITS).ok).toBe(true);
  });

  it('names the fix when one process would need more descriptors than the limit', () => {
    const r = checkLimits({ connections: 50_000, workers: 2, sourceIps: 4, serverProcesses: 4 }, LIMITS);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/ulimit -n\) is 20000 .*--workers 3/);
  });

  it('suggests raising the soft limit when the hard limit allows it', () => {
    const r = checkLimits({ connections: 30_000, workers: 1, sourceIps: 2, serverProcesses: 0 }, { ...LIMITS, nofileHard: 1_000_000 });
    expect(r.problems[0]).toMatch(/ulimit -n 1000000/);
  });

  it('checks the embedded server processes too', () => {
    const r = checkLimits({ connections: 50_000, workers: 4, sourceIps: 2, serverProcesses: 1 }, LIMITS);
    expect(r.problems.join('\n')).toMatch(/--server-workers 3/);
  });

  it('asks for --source-ips past the ephemeral ports of one address', () => {
    const r = checkLimits({ connections: 50_000, workers: 4, sourceIps: 0, serverProcesses: 0 }, LIMITS);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/28232 ephemeral ports.*--source-ips with at least 2 addresses/);
  });

  it('reads this machine’s limits', () => {
    const l = readSystemLimits();
    expect(l.nofileSoft).toBeGreaterThan(0);
    expect(l.portHigh).toBeGreaterThan(l.portLow);
  });

  it('parses source address lists and ranges', () => {
    expect(parseSourceIps('127.0.0.1-127.0.0.3,10.0.0.9')).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '10.0.0.9']);
    expect(() => parseSourceIps('127.0.0.5-127.0.0.1')).toThrow(/range/);
    expect(() => parseSourceIps('nope')).toThrow(/not an IP/);
  });
});
