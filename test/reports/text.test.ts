import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../reports/text.js';
import { capacityFixture, conformanceFixture, loadFixture } from './fixtures.js';

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
