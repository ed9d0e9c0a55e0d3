import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../reports/junit.js';
import { mergeRuns } from '../../reports/merge.js';
import { escapeXml, stripInvalidXmlChars } from '../../reports/escape.js';
import { capacityFixture, conformanceFixture, fuzzFixture, loadFixture, NASTY } from './fixtures.js';
import fc from 'fast-check';

const XSD = resolve('test/reports/fixtures/junit.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
if (!hasXmllint) console.warn('junit XSD validation skipped: xmllint is missing (apt-get install -y libxml2-utils; .ci/run installs it)');

function validateWithXsd(xml: string, name: string): void {
  const dir = resolve('test-output');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  expect(r.stderr, r.stderr).toContain('validates');
  expect(r.status).toBe(0);
}

/** Characters XML 1.0 (§2.2) cannot hold: what must never reach the output. */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('renderJunit', () => {
  const conf = conformanceFixture();

  it.skipIf(!hasXmllint)('validates against the Surefire/Jenkins JUnit XSD for every kind of result', () => {
    validateWithXsd(renderJunit(conf), 'conformance.junit.xml');
    validateWithXsd(renderJunit(conf, { failOn: 'non-strict' }), 'conformance-ns.junit.xml');
    validateWithXsd(renderJunit(fuzzFixture()), 'fuzz.junit.xml');
    validateWithXsd(renderJunit(loadFixture()), 'load.junit.xml');
    validateWithXsd(renderJunit(capacityFixture()), 'capacity.junit.xml');
    validateWithXsd(renderJunit(mergeRuns([conf, { ...conf, target: { url: 'ws://other/' } }])), 'matrix.junit.xml');
    validateWithXsd(renderJunit({ ...conf, cases: [], summary: { ...conf.summary, pass: 0, fail: 0, 'non-strict': 0, informational: 0, unimplemented: 0, error: 0 } }), 'empty.junit.xml');
  });

  it.skipIf(!hasXmllint)('the XSD rejects what it must (so the validation above means something)', () => {
    const bad = renderJunit(conf).replace('<testcase classname=', '<testcase cls=');
    const dir = resolve('test-output');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.junit.xml'), bad);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'bad.junit.xml')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });

  it('one suite per area, one test per case, with failure, error and skipped as the verdicts say', () => {
    const xml = renderJunit(conf);
    const areas = new Set(conf.cases.map((c) => c.area));
    expect(xml.match(/<testsuite /g)).toHaveLength(areas.size);
    expect(xml.match(/<testcase /g)).toHaveLength(conf.cases.length);
    expect(xml.match(/<failure /g)).toHaveLength(conf.summary.fail);
    expect(xml.match(/<error /g)).toHaveLength(conf.summary.error);
    expect(xml.match(/<skipped /g)).toHaveLength(conf.summary.unimplemented);
    expect(xml).toContain('classname="wsprobe.control" name="control.ping.payload-126 Ping with a 126-byte payload"');
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${conf.cases.length}" failures="${conf.summary.fail}" errors="${conf.summary.error}" skipped="${conf.summary.unimplemented}"`));
    const strict = renderJunit(conf, { failOn: 'non-strict' });
    expect(strict.match(/<failure /g)).toHaveLength(conf.summary.fail + conf.summary['non-strict']);
  });

  it('holds no character XML 1.0 cannot hold and never `]]>`, yet keeps the text readable', () => {
    const xml = renderJunit(conf);
    expect(xml).not.toMatch(INVALID_XML);
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('</script>');
    expect(xml).toContain(']]&gt; &lt;/script&gt;&lt;!--');
    expect(xml).toContain('😀');
    // A short transcript of a failing case, ending with the target's close.
    expect(xml).toContain('&lt; CLOSE fin [85 bytes] code=1002');
    expect(xml).toContain('1,234 entries omitted by the runner');
  });

  it('escapeXml output is free of invalid characters for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (s, attr) => {
        const out = escapeXml(s, attr);
        expect(out).not.toMatch(INVALID_XML);
        expect(out).not.toMatch(/[<>]/);
        if (attr) expect(out).not.toMatch(/["\t\n\r]/);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        // Valid text that XML can hold passes through unchanged.
        fc.pre(!INVALID_XML.test(s));
        expect(stripInvalidXmlChars(s)).toBe(s);
      }),
    );
  });

  it.skipIf(!hasXmllint)('parses back to the same text through a real XML parser', () => {
    const text = `${NASTY} end`;
    const r = conformanceFixture();
    r.cases[0] = { ...r.cases[0]!, title: text };
    const xml = renderJunit(r);
    const dir = resolve('test-output');
    writeFileSync(join(dir, 'roundtrip.junit.xml'), xml);
    const name = execFileSync('xmllint', ['--xpath', 'string(//testcase[1]/@name)', join(dir, 'roundtrip.junit.xml')], { encoding: 'utf8' });
    expect(name.replace(/\n$/, '')).toBe(`${r.cases[0].id} ${stripInvalidXmlChars(text)}`);
  });

  it('reports load thresholds as test cases', () => {
    const load = loadFixture();
    const xml = renderJunit(load);
    expect(xml.match(/<testcase /g)).toHaveLength(load.load!.thresholds.length);
    expect(xml.match(/<failure /g)).toHaveLength(load.load!.thresholds.filter((t) => !t.ok).length);
    expect(xml).toContain('name="wsprobe.load"');
  });
});
