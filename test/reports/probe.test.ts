// The probe result (`wsprobe probe idle`) in every writer: valid against result.schema.json, the answer first in
// the text summary, a section of the HTML report, one JUnit test case for --expect-idle-at-least, and the path's
// close reason never reaching a terminal or a page unescaped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/html.js';
import { renderJunit } from '../../reports/junit.js';
import { mergeRuns } from '../../reports/merge.js';
import { renderText } from '../../reports/text.js';
import { validateRunResult } from '../../reports/validate.js';
import { probeResult } from './probe-fixture.js';

describe('probe results', () => {
  it('validate against result.schema.json, with and without a timeout, check and target traffic', () => {
    expect(validateRunResult(probeResult(), { strict: true })).toEqual([]);
    const none = probeResult({ idleTimeoutS: null, killedS: null, survivedS: 10, endings: [], recommended: null, longestKeptAliveS: null });
    none.probe!.expectation = { atLeastS: 5, ok: true, message: 'no idle timeout up to 10 s' };
    none.probe!.targetTraffic = { pings: 3, messages: 0 };
    expect(validateRunResult(none, { strict: true })).toEqual([]);
    const close = probeResult({ endings: [{ how: 'close-frame', code: 1001, reason: 'idle', handshake: true, count: 1 }] });
    expect(validateRunResult(close, { strict: true })).toEqual([]);
  });

  it('put the answer first in the text summary: timeout, how idle connections end, heartbeats, recommendation', () => {
    const text = renderText(probeResult(), { color: false });
    const lines = text.split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    expect(text).toMatch(/idle timeout\s+3\.0 s \(survived 2\.8 s, killed after 3\.0 s; resolution 0\.50 s\)/);
    expect(text).toMatch(/idle ends by\s+the path closes TCP \(FIN\) without a close frame: clients see 1006 \(2 connections\)/);
    expect(text).toMatch(/every 1\.0 s \(ping\): kept alive \(4\/4 answered/);
    expect(text).toMatch(/every 5\.0 s \(ping\): died after 3\.0 s/);
    expect(text).toMatch(/recommended\s+heartbeat every 1\.0 s: the longest tested heartbeat interval .* \(margin 2\.0 s\)/);
    expect(at(/^idle timeout/)).toBeLessThan(at(/^heartbeats/));
    expect(at(/^recommended/)).toBeLessThan(at(/^round/));
    expect(renderText(probeResult({ idleTimeoutS: null, killedS: null, survivedS: 10, endings: [], recommended: null }), { color: false })).toMatch(
      /idle timeout\s+none up to 10 s\n[\s\S]*recommended\s+no heartbeat needed/,
    );
  });

  it('show the check in the text, HTML and JUnit reports; without the check JUnit has no probe test', () => {
    const failed = probeResult();
    failed.probe!.expectation = { atLeastS: 60, ok: false, message: 'idle timeout 3.0 s is shorter than the expected 60 s' };
    expect(renderText(failed, { color: false })).toMatch(/check\s+FAILED: idle timeout 3\.0 s is shorter than the expected 60 s/);
    expect(renderHtml(failed)).toMatch(/<section id="probe">[\s\S]*FAILED<\/span> idle timeout 3\.0 s is shorter/);
    const junit = renderJunit(failed);
    expect(junit).toMatch(/<testsuites name="wsprobe probe" tests="1" failures="1"/);
    expect(junit).toMatch(/<testcase classname="wsprobe\.probe" name="idle timeout at least 60 s"[^>]*>\s*<failure message="idle timeout 3\.0 s is shorter than the expected 60 s" type="idle-timeout">/);
    const ok = probeResult();
    ok.probe!.expectation = { atLeastS: 2, ok: true, message: 'idle timeout 3.0 s is at least the expected 2.0 s' };
    expect(renderJunit(ok)).toMatch(/tests="1" failures="0"[\s\S]*<system-out>idle timeout 3\.0 s is at least/);
    expect(renderJunit(probeResult())).toMatch(/<testsuites name="wsprobe probe" tests="0"/);
  });

  it('draw every probed silence in the HTML report, killed ones as crosses at the silence that ended them', () => {
    const html = renderHtml(probeResult());
    expect(html).toContain('<h2>Idle probe</h2>');
    expect(html.match(/class="pt survived"/g)).toHaveLength(1);
    expect(html.match(/class="pt killed"/g)).toHaveLength(2);
    expect(html).toMatch(/timeout 3\.0 s/);
  });

  it("never pass the path's close reason to a terminal or a page unescaped (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 110 }), (s) => {
        const reason = `<img src=x>${s}`;
        const r = probeResult({ endings: [{ how: 'close-frame', code: 1001, reason, handshake: false, count: 1 }] });
        r.probe!.rounds[0]!.connections[1]!.ending = { how: 'close-frame', code: 1001, reason, handshake: false };
        const text = renderText(r, { color: false });
        expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
        const html = renderHtml(r);
        expect(html).toContain('&lt;img src=x&gt;');
        expect(html).not.toContain('<img');
      }),
      { numRuns: 150 },
    );
  });

  it('cannot be merged: each probe measures one path at one time', () => {
    expect(() => mergeRuns([probeResult(), probeResult()])).toThrow(/probe results cannot be merged/);
  });
});
