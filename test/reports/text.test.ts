import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../reports/text.js';
import { renderHtml } from '../../reports/html.js';
import { stepAlerts } from '../../reports/text-scenario.js';
import { formatMs } from '../../reports/format.js';
import type { RunResult, StepSummary } from '../../reports/schema.js';
import { capacityFixture, chatScenario, conformanceFixture, loadFixture, NASTY, scenarioLoadFixture, scenarioSection, stepSummary } from './fixtures.js';

describe('renderText', () => {
  const conf = conformanceFixture();

  it('uses colour only when asked', () => {
    expect(renderText(conf, { color: false })).not.toContain('\u001b[');
    expect(renderText(conf, { color: true })).toContain('\u001b[31m');
  });

  it('never passes a control character from the target through to the terminal', () => {
    // The fixture's close reason holds ESC [31m: printed as an escape, it cannot recolour the terminal.
    const plain = renderText(conf, { color: false, transcriptLines: 10 });
    expect(plain).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(plain).toContain('\\x1b[31m');
  });

  it('output is well-formed and free of control characters whatever the target sent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const r = conformanceFixture();
        r.cases[2] = { ...r.cases[2]!, reason: s, observed: s, transcript: [{ t: 0, dir: 'in', kind: 'frame', opcode: 8, closeReason: s, preview: s }] };
        const out = renderText(r, { color: false, transcriptLines: 3 });
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
      }),
      { numRuns: 200 },
    );
  });

  it('has a table row per area that adds up, then every failing case with its reason', () => {
    const text = renderText(conf, { color: false });
    for (const area of new Set(conf.cases.map((c) => c.area))) expect(text).toMatch(new RegExp(`^${area} `, 'm'));
    expect(text).toMatch(/^all\s+4\s+1\s+2\s+1\s+1\s+1\s+10$/m);
    const failing = conf.cases.filter((c) => ['fail', 'error', 'non-strict'].includes(c.verdict));
    expect(text).toContain(`Failing cases (${failing.length})`);
    for (const c of failing) expect(text).toContain(c.id);
    expect(text).not.toContain('handshake.accept.valid  ');
  });

  it('shows the key load figures and each threshold with its outcome', () => {
    const load = loadFixture();
    const text = renderText(load, { color: false });
    expect(text).toMatch(/connections\s+target 1,000\s+peak 1,000/);
    expect(text).toMatch(/^ping RTT\s+20,000/m);
    for (const t of load.load!.thresholds) expect(text).toMatch(new RegExp(`^${t.expr.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&')}\\s.*${t.ok ? 'ok' : 'BREACHED'}$`, 'm'));
  });

  it('shows wire and uncompressed bytes, and deflate negotiation, for a --deflate run', () => {
    const load = loadFixture();
    Object.assign(load.load!.counters, { bytesSent: 2048, appBytesSent: 10240, bytesReceived: 1024, appBytesReceived: 10240, deflateNegotiated: 20 });
    const text = renderText(load, { color: false });
    expect(text).toMatch(/^bytes\s+sent 2(\.0)? KiB \(10(\.0)? KiB uncompressed\)\s+received 1(\.0)? KiB \(10(\.0)? KiB uncompressed\)$/m);
    expect(text).toMatch(/^deflate\s+negotiated on 20 connections$/m);
    expect(renderText(loadFixture(), { color: false })).not.toMatch(/^deflate/m);
  });

  it('shows capacity steps and the capacity found', () => {
    const text = renderText(capacityFixture(), { color: false });
    expect(text).toContain('max connections within SLO: 2,000');
    expect(text.match(/breached: pingRtt/g)).toHaveLength(2);
  });
});

describe('renderText: scenario runs', () => {
  const run = scenarioLoadFixture();
  const withSteps = (steps: Record<string, StepSummary>): RunResult => ({ ...run, load: { ...run.load!, scenario: { ...run.load!.scenario!, steps } } });

  it('puts the step nothing answered first in the load summary, in red when colour is on, partial timeouts plain', () => {
    const lines = renderText(run, { color: false }).split('\n');
    const load = lines.indexOf('Load');
    expect(lines.slice(load + 1, load + 3)).toEqual(['request join: none of the 1,600 requests got a reply', 'request history: 12 of 900 timed out']);
    const color = renderText(run, { color: true });
    expect(color).toContain('\u001b[31mrequest join: none of the 1,600 requests got a reply\u001b[0m');
    expect(color).toMatch(/^request history: 12 of 900 timed out$/m);
  });

  it('shows roles, one row per step with its counts and latency, then unexpected and unmatched with connections', () => {
    const text = renderText(run, { color: false });
    const s = run.load!.scenario!;
    expect(text).toMatch(/^Scenario chat$/m);
    expect(text).toMatch(/^roles\s+publisher 100  subscriber 900$/m);
    expect(text).toMatch(/^step\s+started\s+matched\s+timeouts\s+late\s+p50\s+p90\s+p99\s+max$/m);
    expect(text).toMatch(/^request\.join\s+1,600\s+0\s+1,600\s+0\s+-\s+-\s+-\s+-$/m);
    const h = s.steps['request.history']!.latency;
    expect(text).toMatch(new RegExp(`^request\\.history\\s+900\\s+888\\s+12\\s+3\\s+${[h.p50, h.p90, h.p99, h.max].map((v) => formatMsRe(v)).join('\\s+')}$`, 'm'));
    // A send has no matches and a subscription no timeouts: '-' rather than a 0 that reads as a failure.
    expect(text).toMatch(/^send\.hello\s+1,000\s+-\s+-\s+-/m);
    expect(text).toMatch(/^subscribe\.room\s+900\s+9,000\s+-\s+-/m);
    expect(text).toMatch(/^unexpected\s+42 messages .* on 7 connections$/m);
    expect(text).toMatch(/^unmatched\s+1,612 requests and expects .* on 905 connections$/m);
    // After the latency table, before the thresholds.
    expect(text.indexOf('Scenario chat')).toBeGreaterThan(text.indexOf('message RTT'));
    expect(text.indexOf('Scenario chat')).toBeLessThan(text.indexOf('threshold '));
  });

  it('a run without a scenario says nothing about one', () => {
    const text = renderText(loadFixture(), { color: false });
    expect(text).not.toMatch(/Scenario|got a reply|timed out/);
  });

  it('alerts exactly for the request and expect steps that matched less than they started (property)', () => {
    const kind = fc.constantFrom<StepSummary['kind']>('send', 'expect', 'request', 'subscribe');
    const step = fc.record({ kind, started: fc.nat(5000), share: fc.double({ min: 0, max: 1, noNaN: true }), lost: fc.nat(50) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), (specs) => {
        const steps = Object.fromEntries(
          specs.map((x, i) => {
            const matched = Math.floor(x.started * x.share);
            const timeouts = Math.max(0, x.started - matched - x.lost);
            return [`${x.kind}.s${i}`, stepSummary({ kind: x.kind, name: `s${i}`, started: x.started, matched, timeouts })];
          }),
        );
        const alerts = stepAlerts({ ...scenarioSection(chatScenario()), steps });
        const waiting = Object.entries(steps).filter(([, st]) => (st.kind === 'request' || st.kind === 'expect') && st.matched < st.started);
        expect(alerts.map((a) => a.key).sort()).toEqual(waiting.map(([k]) => k).sort());
        for (const a of alerts) expect(a.loud).toBe(steps[a.key]!.matched === 0);
        // Loud ones first, and each plain one says how many of how many.
        expect(alerts.findIndex((a) => !a.loud)).toBe(alerts.some((a) => !a.loud) ? alerts.filter((a) => a.loud).length : -1);
        for (const a of alerts.filter((x) => !x.loud)) {
          const st = steps[a.key]!;
          expect(a.text).toContain(`${(st.started - st.matched).toLocaleString('en-US')} of ${st.started.toLocaleString('en-US')} `);
          expect(a.text.endsWith('timed out')).toBe(st.timeouts >= st.started - st.matched);
        }
        const text = renderText(withSteps(steps), { color: false });
        for (const a of alerts) expect(text).toContain(a.text);
      }),
      { numRuns: 200 },
    );
  });

  it('scenario names from the file reach neither report unescaped', () => {
    const s = scenarioSection({ ...chatScenario(), name: NASTY, roles: [{ name: NASTY, connections: 1 }] });
    const steps = { [`request.${NASTY}`]: stepSummary({ kind: 'request', name: NASTY, started: 3, matched: 0, timeouts: 3 }) };
    const r: RunResult = { ...run, load: { ...run.load!, scenario: { ...s, steps } } };
    const text = renderText(r, { color: false });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
    const html = renderHtml(r);
    expect(html).not.toContain('</script><!--');
    expect(html).not.toContain('<b>&amp;</b>');
    expect(html).toContain('&lt;/script&gt;&lt;!--');
  });
});

/** formatMs as a regular expression (its output holds a '.'). */
function formatMsRe(v: number): string {
  return formatMs(v).replace('.', '\\.');
}
