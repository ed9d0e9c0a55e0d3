import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../reports/text.js';
import { renderHtml } from '../../reports/html.js';
import { stepAlerts } from '../../reports/text-scenario.js';
import { formatMs } from '../../reports/format.js';
import type { CapacitySection, RunResult, StepSummary } from '../../reports/schema.js';
import { errorRateSlo, latencySlo } from '../../reports/capacity-words.js';
import { capacitySectionArbitrary } from './capacity-fixture.js';
import { capacityFixture, capacitySearchFixture, chatScenario, conformanceFixture, loadFixture, NASTY, scenarioLoadFixture, scenarioSection, stepSummary } from './fixtures.js';

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

describe('capacity search reports', () => {
  const search = capacitySearchFixture();
  const withCapacity = (cap: CapacitySection): RunResult => ({ ...search, capacity: cap });
  /** The capacity section's lines, after its heading. */
  const capLines = (r: RunResult, color = false): string[] => {
    const lines = renderText(r, { color }).split('\n');
    return lines.slice(lines.findIndex((l) => l.includes('Capacity')) + 1);
  };
  /** The steps table: its head's index and one line per step after it. */
  const stepRows = (lines: string[], steps: number): string[] => {
    const head = lines.findIndex((l) => /^\s*#\s+connections\s+start\s+rep\s+outcome\s+window\s+p50\s+p99\s+err\s+ramp\s+limit\s+note$/.test(l.replace(/\u001b\[\d+m/g, '')));
    expect(head).toBeGreaterThan(0);
    return lines.slice(head + 1, head + 1 + steps);
  };
  const htmlRows = (html: string): { outcome: string; text: string }[] =>
    [...html.matchAll(/<tr class="step" data-outcome="([^"]+)"[^>]*>(.*?)<\/tr>/g)].map((m) => ({ outcome: m[1]!, text: m[2]!.replace(/<[^>]+>/g, ' ') }));

  it('says the answer first with its confirmation, then the spread and the flags, then one row per step in run order', () => {
    const lines = capLines(search);
    expect(lines[0]).toBe('max connections within SLO: 725 (unconfirmed: 3/3 held at 725, 2/3 breached at 750 (1 runner-limited))');
    expect(lines[1]).toBe('spread       3 runs at 725: p99 4.30-4.80 ms; 3 runs at 750: p99 14.2-21.0 ms');
    expect(lines[2]).toMatch(/^warning {6}runner-limited at 750 connections \(the runner was the limit: /);
    expect(lines[3]).toBe('warning      unconfirmed knee: 750 connections breached 2 of 3 runs; the third measured the runner');
    const rows = stepRows(lines, 12);
    expect(rows.map((r) => r.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(search.capacity!.steps.map((s, i) => `${i + 1} ${s.connections}`));
    expect(rows[3]).toMatch(/^\s*4\s+800\s+grown\s+-\s+breached\s+32\.0-37\.0 s\s+9\.00 ms\s+25\.0 ms\s+0\.04%\s+2 s\s+target\s+ping_rtt\.p99<10ms$/);
    expect(rows[9]).toMatch(/^\s*10\s+750\s+fresh\s+1\/2\s+breached\s.*\s+target\s+ping_rtt\.p99<10ms; errors\.rate<0\.1%$/);
    expect(rows[11]).toMatch(/^\s*12\s+750\s+fresh\s+2\/2\s+runner-limited\s.*\srunner\s+the runner was the limit: a runner process at 97% CPU/);
    expect(rows[11]).not.toMatch(/breach/i);
  });

  it('says confirmed when every repeat agreed, unconfirmed (in yellow) when one did not', () => {
    const cap = structuredClone(search.capacity!);
    cap.knee!.confirmed = true;
    cap.steps[11]!.outcome = 'breached';
    const confirmed = 'max connections within SLO: 725 (confirmed: 3/3 held at 725, 3/3 breached at 750)';
    expect(capLines(withCapacity(cap), true)[0]).toBe(confirmed);
    expect(renderHtml(withCapacity(cap))).toContain('capacity 725 (confirmed)');
    const unconfirmed = capLines(search, true)[0]!;
    expect(unconfirmed).toBe(`\u001b[33m${capLines(search)[0]}\u001b[0m`);
    expect(renderHtml(search)).toContain('capacity 725 (unconfirmed)');
  });

  it('paints breached rows red and runner-limited rows yellow, never red', () => {
    const rows = stepRows(capLines(search, true), 12);
    expect(rows[3]).toMatch(/^\u001b\[31m/);
    expect(rows[11]).toMatch(/^\u001b\[33m/);
    expect(rows[0]).not.toContain('\u001b[');
  });

  it('reads a result with only some of the new fields: no knee, windows or timeline', () => {
    const old = capacityFixture();
    const cap = { ...old.capacity!, steps: old.capacity!.steps.map((s, i) => ({ ...s, outcome: i === 3 ? ('runner-limited' as const) : s.ok ? ('held' as const) : ('breached' as const) })) };
    const lines = capLines({ ...old, capacity: cap });
    expect(lines[0]).toBe('max connections within SLO: 2,000');
    const rows = stepRows(lines, 5);
    expect(rows[3]).toMatch(/^\s*4\s+4,000\s+-\s+-\s+runner-limited\s+-\s+-\s+68\.0 ms\s+0\.60%\s+-\s+-\s+the runner was the limit$/);
    const html = renderHtml({ ...old, capacity: cap });
    expect(htmlRows(html).map((r) => r.outcome)).toEqual(['held', 'held', 'held', 'runner-limited', 'breached']);
    expect(html).toContain('capacity 2,000</text>');
    expect(html).not.toContain('Steady windows');
  });

  it('for any search: one row per step, a runner-limited row never reads as breached, the answer confirmed only when the knee is', () => {
    fc.assert(
      fc.property(capacitySectionArbitrary(), (cap) => {
        const r = withCapacity(cap);
        const lines = capLines(r);
        expect(lines[0]!.startsWith('max connections within SLO: ')).toBe(true);
        if (cap.knee) expect(lines[0]).toContain(cap.knee.confirmed ? '(confirmed: ' : '(unconfirmed: ');
        const rows = stepRows(lines, cap.steps.length);
        cap.steps.forEach((s, i) => {
          expect(rows[i]!.trim().split(/\s+/)[0]).toBe(String(i + 1));
          if (s.outcome === 'runner-limited') expect(rows[i]).not.toMatch(/breach/i);
        });
        const html = renderHtml(r);
        const trs = htmlRows(html);
        expect(trs.map((t) => t.outcome)).toEqual(cap.steps.map((s) => s.outcome));
        for (const t of trs.filter((x) => x.outcome === 'runner-limited')) expect(t.text).not.toMatch(/breach/i);
        const marker = cap.knee && cap.knee.lastHeld !== null ? `capacity ${cap.knee.lastHeld.toLocaleString('en-US')} (${cap.knee.confirmed ? 'confirmed' : 'unconfirmed'})` : null;
        if (marker) expect(html).toContain(marker);
      }),
      { numRuns: 60 },
    );
  });

  it('reads the latency limit from the first upper bound on ping RTT, message RTT or a step, in ms, whatever comes before it', () => {
    const name = fc.constantFrom(['ping_rtt', 'pingRtt'], ['PING_RTT', 'pingRtt'], ['message_rtt', 'messageRtt'], ['messagertt', 'messageRtt'], ['request.join', 'request.join'], ['expect.welcome-1', 'expect.welcome-1']);
    const unit = fc.constantFrom(['', 1], ['ms', 1], ['us', 0.001], ['s', 1000]);
    const other = fc.constantFrom('errors.rate<1%', 'connect.p99<100ms', 'ping_rtt.p99>1ms', 'connections.peak>=10', 'messages.unmatched.rate<1%');
    fc.assert(
      fc.property(fc.array(other, { maxLength: 3 }), name, fc.constantFrom('p50', 'p99', 'p99.9', 'p100'), fc.constantFrom('<', '<=', ' < '), fc.integer({ min: 0, max: 1e6 }), unit, ([...before], [metric, canonical], stat, op, hundredths, [u, factor]) => {
        const value = hundredths / 100;
        const expr = `${metric}.${stat}${op}${value}${u}`;
        const slo = latencySlo([...before, expr, 'ping_rtt.p50<1ms']);
        expect(slo).not.toBeNull();
        expect(slo!.expr).toBe(expr);
        expect(slo!.stat).toBe(stat);
        expect(slo!.limitMs).toBeCloseTo(value * (factor as number), 9);
        expect(typeof slo!.metric === 'string' ? slo!.metric : slo!.metric.step).toBe(canonical);
      }),
    );
    expect(latencySlo(['errors.rate<1%', 'connect.p99<5ms'])).toBeNull();
  });

  it('reads the error-rate limit as a fraction, from % or a fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.boolean(), (thousandths, asPercent) => {
        const value = thousandths / 1000;
        const slo = errorRateSlo(['ping_rtt.p99<10ms', `errors.rate<${value}${asPercent ? '%' : ''}`]);
        expect(slo!.limit).toBeCloseTo(asPercent ? value / 100 : value, 12);
      }),
    );
    expect(errorRateSlo(['errors.count<3', 'errors.rate>1%'])).toBeNull();
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
