// Fuzz and catalogue agree (issue 11). Each LENIENT echo server (test/fixtures/broken-servers/lenient-variants.ts)
// shows one behaviour RFC 6455 allows but a strict reading might fail. Against each, the built CLI runs
// `wsprobe test` on the catalogue cases that exercise the behaviour and `wsprobe fuzz` on the suites that do:
// `test` must grade none of them fail, `fuzz` must report no failure, and the catalogue's reason must name what
// the server really did. Controls keep the test honest: the fixture really shows each behaviour (raw bytes), the
// conformant server passes both, and a broken variant next to each behaviour is still failed by BOTH commands.
// Broken variants whose only fault is a close code no MUST names (issue 12, ruling 6) are non-strict in both.
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseMatches } from '../../../runners/conformance/filter.js';
import { CATALOGUE } from '../../../suites/conformance/index.js';
import { resolveExpectation, type ConformanceCase } from '../../../suites/define.js';
import {
  BROKEN_VARIANT_TABLE,
  LENIENT_VARIANTS,
  startBrokenServer,
  startLenientServer,
  type LenientBehaviour,
  type LenientVariant,
  type BrokenFault,
  type RunningBrokenServer,
} from '../../fixtures/broken-servers/index.js';
import type { FuzzSuiteName } from '../../../suites/properties/fuzz-suite.js';
import { runCli } from '../../helpers/cli.js';

/** Bounds every CLI run; each takes seconds against these servers. */
const CLI_TIMEOUT_MS = 180_000;
const HOOK_TIMEOUT_MS = 240_000;
/** `wsprobe test --timeout`: generous for loopback, short enough that a failing case does not stall the file. */
const CASE_TIMEOUT_MS = '5000';
const FUZZ_ARGS = ['--runs', '100', '--seed', '42', '--timeout', '2000'];
const NOT_FAILED = new Set(['pass', 'non-strict', 'informational']);

interface CaseRow {
  id: string;
  verdict: string;
  reasonCode: string;
  reason: string;
  expected?: string;
  observed?: string;
  counterexample?: string[];
  replay?: string;
  metrics?: Record<string, number>;
}

interface Run {
  code: number | null;
  cases: CaseRow[];
  output: string;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'wsprobe-agree-'));
  dirs.push(out);
  const r = await runCli([...args, '--out', out], { timeoutMs: CLI_TIMEOUT_MS });
  const output = `exit ${r.code}\n${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`;
  let cases: CaseRow[] = [];
  try {
    cases = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cases: CaseRow[] }).cases;
  } catch (err) {
    throw new Error(`wsprobe ${args.join(' ')} wrote no results.json (${String(err)})\n${output}`);
  }
  return { code: r.code, cases, output };
}

const runTest = (url: string, cases: readonly string[]): Promise<Run> => cli(['test', url, '--cases', cases.join(','), '--timeout', CASE_TIMEOUT_MS, '--seed', '42']);
const runFuzz = (url: string, suites: readonly string[]): Promise<Run> => cli(['fuzz', url, '--suite', suites.join(','), ...FUZZ_ARGS]);

const line = (c: CaseRow): string => `${c.id}: ${c.verdict} (${c.reasonCode}) ${c.reason}`;
/** A fuzz failure as the lead needs to see it: reason, counterexample, what was expected and observed, replay. */
const fuzzDetail = (c: CaseRow): string =>
  [line(c), ...(c.counterexample ?? []).map((l) => `    ${l}`), `  expected: ${c.expected ?? ''}`, `  observed: ${c.observed ?? ''}`, `  replay: ${c.replay ?? ''}`].join('\n');

const catalogueCase = (id: string): ConformanceCase | undefined => CATALOGUE.find((c) => c.id === id);

/** Cases where a valid message goes ahead of the invalid data (Autobahn 3.2-3.4, 4.1.3-5, 4.2.3-5, 5.15). */
function hasMessageAhead(id: string): boolean {
  const c = catalogueCase(id);
  if (c === undefined) return false;
  const e = resolveExpectation(c, {});
  return e.kind === 'fail' && (e.before ?? []).length > 0;
}

function expectsFailure(id: string): boolean {
  const c = catalogueCase(id);
  return c !== undefined && resolveExpectation(c, {}).kind === 'fail';
}

function byId(run: Run, id: string): CaseRow {
  const c = run.cases.find((r) => r.id === id);
  if (c === undefined) throw new Error(`${id} is not in results.json`);
  return c;
}

/**
 * "Its reason names what really happened": per behaviour, what the catalogue must say about the cases where the
 * behaviour shows. Returns the problems found (empty when all is well).
 */
const REASON_CHECKS: Record<LenientBehaviour, (test: Run) => string[]> = {
  'fails-early': (test) => {
    const ahead = test.cases.filter((c) => hasMessageAhead(c.id));
    const problems: string[] = [];
    if (ahead.length < 10) problems.push(`only ${ahead.length} cases send a valid message ahead of the invalid data`);
    for (const c of ahead) {
      // Sent in one write, message and bad frame reach the server in one TCP read: it fails before echoing.
      const oneWrite = !/chops/.test(c.id);
      if (c.verdict === 'pass' && !oneWrite) continue;
      if (c.verdict !== 'non-strict' || c.reasonCode !== 'early-fail') problems.push(`${line(c)} -- expected non-strict (early-fail)`);
    }
    return problems;
  },
  'close-before-echo': (test) => {
    const c = byId(test, 'close.after-message');
    // Our close follows the message at once, well within the server's latency, so the echo is missing and the
    // reason must name the close and the message left unanswered. (A pass means the echo did arrive: a stalled
    // event loop between the two writes; the raw check above shows the behaviour in any case.)
    if (c.verdict === 'pass') return [];
    if (c.verdict !== 'non-strict' || !/close/i.test(c.reason) || !/echo|message|text \d+ B/i.test(c.reason)) {
      return [`${line(c)} -- expected non-strict, naming our close answered before the message (text 12 B) was echoed`];
    }
    return [];
  },
  'drops-tcp-on-failure': (test) => failuresGraded(test, 'failed-without-close', /closing TCP/),
  'http-200-without-upgrade': (test) =>
    ['handshake.upgrade.missing', 'handshake.upgrade.not-websocket']
      .map((id) => byId(test, id))
      .filter((c) => c.verdict !== 'non-strict' || !/\b200\b/.test(c.reason))
      .map((c) => `${line(c)} -- expected non-strict, naming status 200`),
  // No catalogue case breaks two close rules at once; the raw check below shows the fixture answers 1007.
  'two-fault-close-1007': () => [],
  // Issue 12, rulings 1-4 (the opening handshake): the verdict each ruling gives, and what the server did.
  'accepts-any-key-value': (test) => graded(test, ['not-base64', '15-bytes', '17-bytes', 'empty'].map((k) => `handshake.key.${k}`), 'non-strict', (c) => /status 101/.test(c.reason), 'naming the 101'),
  'version-malformed-bare-400': (test) => graded(test, ['handshake.version.garbage'], 'pass', (c) => /\b400\b/.test(c.reason), 'naming status 400'),
  'drops-pipelined-data': (test) => graded(test, ['handshake.pipelined-frame'], 'informational', (c) => /never arrived/.test(c.reason), 'saying the early message never came back'),
  'closes-without-response': (test) =>
    graded(test, ['handshake.head.16k', 'handshake.head.64k', 'handshake.body.content-length'], 'informational', (c) => c.metrics?.['request-status'] === 0, 'request-status 0 (no response)'),
  'refuses-iana-close-codes': (test) =>
    ['close.code.1012', 'close.code.1013', 'close.code.1014']
      .map((id) => byId(test, id))
      .filter((c) => c.verdict !== 'non-strict' || c.reasonCode !== 'refused-code' || !c.reason.includes(`our close ${c.id.slice(-4)}`) || !/\b1002\b/.test(c.reason))
      .map((c) => `${line(c)} -- expected non-strict (refused-code), naming our code and the 1002 refusal`),
  'fails-with-empty-close': (test) => failuresGraded(test, 'failed-without-close', /without a status code/),
  'fails-with-other-code': (test) => failuresGraded(test, 'other-code', /with 1008 \(policy violation\), expected close 10\d\d/),
  'accepts-close-5000': (test) =>
    ['close.invalid-code.5000', 'close.invalid-code.65535']
      .map((id) => byId(test, id))
      .filter((c) => c.verdict !== 'informational' || !/with 1000 \(normal\)/.test(c.reason))
      .map((c) => `${line(c)} -- expected informational, naming the 1000 answer`),
  'unmasked-closes-1000': (test) => failuresGraded(test, 'other-code', /with 1000 \(normal\), expected close 1002/),
  // Every case passes (the agreement checks above): §5.5.3 makes answering only the latest ping conformant.
  'answers-latest-ping-only': (test) => test.cases.filter((c) => c.verdict !== 'pass').map((c) => `${line(c)} -- expected pass`),
  'pong-after-message': (test) => {
    const paused = test.cases.filter((c) => c.id.startsWith('fragmentation.text.pings-and-pause'));
    const problems = paused.length === 3 ? [] : [`${paused.length} pings-and-pause cases, expected 3`];
    for (const c of paused) if (c.verdict !== 'non-strict' || c.reasonCode !== 'late-pong') problems.push(`${line(c)} -- expected non-strict (late-pong)`);
    const others = test.cases.filter((c) => !paused.includes(c) && c.verdict !== 'pass' && c.verdict !== 'informational');
    return [...problems, ...others.map((c) => `${line(c)} -- no pause makes the held pong visible: expected pass`)];
  },
};

/** The cases `ids` graded `verdict`, each passing `ok` (its reason or metrics show what the server did); the problems. */
const graded = (test: Run, ids: string[], verdict: string, ok: (c: CaseRow) => boolean, what: string): string[] =>
  ids.map((id) => byId(test, id)).filter((c) => c.verdict !== verdict || !ok(c)).map((c) => `${line(c)} -- expected ${verdict}, ${what}`);

/** Every failure case graded non-strict with `code`, the reason matching `re`; the problems found. */
function failuresGraded(test: Run, code: string, re: RegExp): string[] {
  const failing = test.cases.filter((c) => expectsFailure(c.id));
  const problems = failing.length > 0 ? [] : ['no failure case ran'];
  for (const c of failing) if (c.verdict !== 'non-strict' || c.reasonCode !== code || !re.test(c.reason)) problems.push(`${line(c)} -- expected non-strict (${code}) matching ${re}`);
  return problems;
}

// ---- The fixture really shows each behaviour (raw bytes; the conformant server on the same input differs) ----

const GOOD_HEAD =
  'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const PLAIN_GET = 'GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n';

/** A client frame (RFC 6455 §5.2), masked unless `mask` is false, FIN set unless `fin` is false; under 126 bytes. */
function clientFrame(opcode: number, payload: Uint8Array | string, opts: { rsv1?: boolean; fin?: boolean; mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const b0 = (opts.fin === false ? 0 : 0x80) | (opts.rsv1 ? 0x40 : 0) | opcode;
  if (opts.mask === false) return Buffer.concat([Buffer.from([b0, body.length]), body]);
  const key = [0x37, 0xfa, 0x21, 0x3d];
  const masked = body.map((b, i) => b ^ key[i & 3]!);
  return Buffer.concat([Buffer.from([b0, 0x80 | body.length, ...key]), masked]);
}

const closeCode = (code: number): Buffer => Buffer.from([code >>> 8, code & 0xff]);

/** The server's frames as short strings ('text hello', 'close 1002'), then 'tcp-end' if it closed TCP. */
function readServerFrames(bytes: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i]! & 0x0f;
    let len = bytes[i + 1]! & 0x7f;
    let at = i + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at);
      at += 2;
    }
    const payload = bytes.subarray(at, at + len);
    if (opcode === 0x1) out.push(`text ${payload.toString('utf8')}`);
    else if (opcode === 0x8) out.push(payload.length >= 2 ? `close ${payload.readUInt16BE(0)}` : 'close');
    else if (opcode === 0xa) out.push(`pong ${payload.toString('utf8')}`);
    else out.push(`opcode ${opcode}`);
    i = at + len;
  }
  return out;
}

/** Sends a request head (and, once a 101 came, `frames` in ONE write); collects everything until TCP ends. */
function exchange(port: number, head: string, frames: Buffer[]): Promise<{ status: string; frames: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP end within 5 s; got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`));
    }, 5000);
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      const text = buf.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const status = text.split('\r\n')[0] ?? '';
      const rest = headEnd === -1 || !status.includes(' 101 ') ? [] : readServerFrames(buf.subarray(headEnd + 4));
      resolve({ status, frames: ended ? [...rest, 'tcp-end'] : rest });
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!sent && buf.includes('\r\n\r\n') && buf.toString('latin1').startsWith('HTTP/1.1 101')) {
        sent = true;
        socket.write(Buffer.concat(frames));
      }
    });
    socket.on('end', () => {
      socket.end();
      finish(true);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.write(Buffer.from(head, 'latin1'));
  });
}

const INVALID_UTF8_REASON = Buffer.from([0x03, 0xf8, 0x6f, 0x6b, 0xed, 0xa0, 0x80]); // code 1016, "ok" + a lone surrogate

const SHOWS: Record<LenientBehaviour, { head: string; frames: Buffer[]; lenient: string[] | RegExp; conformant: string[] | RegExp }> = {
  'fails-early': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x1, 'hello'), clientFrame(0x1, 'bad', { rsv1: true })],
    lenient: ['close 1002', 'tcp-end'],
    conformant: ['text hello', 'close 1002', 'tcp-end'],
  },
  'close-before-echo': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x1, 'hello'), clientFrame(0x8, Buffer.from([0x03, 0xe8]))],
    lenient: ['close 1000', 'tcp-end'],
    conformant: ['text hello', 'close 1000', 'tcp-end'],
  },
  'drops-tcp-on-failure': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x1, 'bad', { rsv1: true })],
    lenient: ['tcp-end'],
    conformant: ['close 1002', 'tcp-end'],
  },
  'http-200-without-upgrade': { head: PLAIN_GET, frames: [], lenient: /^HTTP\/1\.1 200 /, conformant: /^HTTP\/1\.1 4\d\d / },
  'two-fault-close-1007': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x8, INVALID_UTF8_REASON)],
    lenient: ['close 1007', 'tcp-end'],
    conformant: ['close 1002', 'tcp-end'],
  },
  'accepts-any-key-value': { head: GOOD_HEAD.replace('dGhlIHNhbXBsZSBub25jZQ==', 'not*base64'), frames: [clientFrame(0x8, closeCode(1000))], lenient: /^HTTP\/1\.1 101 /, conformant: /^HTTP\/1\.1 400 / },
  'version-malformed-bare-400': { head: GOOD_HEAD.replace('Version: 13', 'Version: websocket-13'), frames: [], lenient: /^HTTP\/1\.1 400 /, conformant: /^HTTP\/1\.1 426 / },
  'drops-pipelined-data': { head: GOOD_HEAD + clientFrame(0x1, 'early').toString('latin1'), frames: [clientFrame(0x8, closeCode(1000))], lenient: ['close 1000', 'tcp-end'], conformant: ['text early', 'close 1000', 'tcp-end'] },
  'closes-without-response': { head: GOOD_HEAD.replace('\r\n\r\n', `\r\nX-Pad: ${'p'.repeat(17000)}\r\n\r\n`), frames: [], lenient: /^$/, conformant: /^HTTP\/1\.1 431 / },
  'refuses-iana-close-codes': { head: GOOD_HEAD, frames: [clientFrame(0x8, closeCode(1012))], lenient: ['close 1002', 'tcp-end'], conformant: ['close 1012', 'tcp-end'] },
  'fails-with-empty-close': { head: GOOD_HEAD, frames: [clientFrame(0x1, 'bad', { rsv1: true })], lenient: ['close', 'tcp-end'], conformant: ['close 1002', 'tcp-end'] },
  'fails-with-other-code': { head: GOOD_HEAD, frames: [clientFrame(0x1, 'bad', { rsv1: true })], lenient: ['close 1008', 'tcp-end'], conformant: ['close 1002', 'tcp-end'] },
  'accepts-close-5000': { head: GOOD_HEAD, frames: [clientFrame(0x8, closeCode(5000))], lenient: ['close 1000', 'tcp-end'], conformant: ['close 1002', 'tcp-end'] },
  'unmasked-closes-1000': { head: GOOD_HEAD, frames: [clientFrame(0x1, 'unmasked', { mask: false })], lenient: ['close 1000', 'tcp-end'], conformant: ['close 1002', 'tcp-end'] },
  'answers-latest-ping-only': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x9, 'a'), clientFrame(0x9, 'b'), clientFrame(0x8, closeCode(1000))],
    lenient: ['pong b', 'close 1000', 'tcp-end'],
    conformant: ['pong a', 'pong b', 'close 1000', 'tcp-end'],
  },
  'pong-after-message': {
    head: GOOD_HEAD,
    frames: [clientFrame(0x1, 'frag1', { fin: false }), clientFrame(0x9, 'p'), clientFrame(0x0, 'frag2'), clientFrame(0x8, closeCode(1000))],
    lenient: ['text frag1frag2', 'pong p', 'close 1000', 'tcp-end'],
    conformant: ['pong p', 'text frag1frag2', 'close 1000', 'tcp-end'],
  },
};

describe('each lenient fixture shows its behaviour, where the conformant one does not', () => {
  it.each(LENIENT_VARIANTS.map((v) => [v.name] as const))('%s', async (name) => {
    const s = SHOWS[name];
    const lenient = await startLenientServer(name);
    const conformant = await startBrokenServer(null);
    try {
      for (const [server, want] of [[lenient, s.lenient], [conformant, s.conformant]] as const) {
        const got = await exchange(server.port, s.head, s.frames);
        if (want instanceof RegExp) expect(got.status, `${server.lenient ?? 'conformant'}`).toMatch(want);
        else expect(got.frames, `${server.lenient ?? 'conformant'}`).toEqual(want);
      }
    } finally {
      await Promise.all([lenient.close(), conformant.close()]);
    }
  }, 30_000);
});

// ---- Agreement: neither command fails an allowed behaviour ----

describe.each(LENIENT_VARIANTS.map((v) => [v.name, v] as const))('lenient %s', (name, v: LenientVariant) => {
  let server: RunningBrokenServer | undefined;
  let test: Run;
  let fuzz: Run;
  beforeAll(async () => {
    server = await startLenientServer(name);
    test = await runTest(server.url, v.cases);
    fuzz = await runFuzz(server.url, v.suites);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await server?.close();
  });

  it(`wsprobe test grades ${v.cases.join(' ')} pass, non-strict or informational`, () => {
    const matched = test.cases.filter((c) => v.cases.some((p) => caseMatches({ id: c.id } as ConformanceCase, p)));
    expect(matched.length, test.output).toBeGreaterThan(0);
    expect(test.cases.filter((c) => !NOT_FAILED.has(c.verdict)).map(line)).toEqual([]);
    expect(test.code, test.output).toBe(0);
  });

  it(`wsprobe fuzz --suite ${v.suites.join(',')} reports no failure`, () => {
    expect(fuzz.cases.map((c) => c.id).sort()).toEqual(v.suites.map((s) => `fuzz.${s}`).sort());
    const failed = fuzz.cases.filter((c) => c.verdict !== 'pass');
    expect(failed.length, `fuzz failed a behaviour the RFC allows:\n${failed.map(fuzzDetail).join('\n')}`).toBe(0);
    expect(fuzz.code, fuzz.output).toBe(0);
  });

  it('the catalogue reason names what the server really did', () => {
    expect(REASON_CHECKS[name](test)).toEqual([]);
  });
});

// ---- Controls: the test cannot pass by making everything lenient ----

describe.each(LENIENT_VARIANTS.map((v) => [v.counterpart, v.name, v] as const))('broken %s (next to %s)', (fault, _name, v: LenientVariant) => {
  let server: RunningBrokenServer | undefined;
  let test: Run;
  let fuzz: Run;
  beforeAll(async () => {
    server = await startBrokenServer(fault);
    test = await runTest(server.url, v.cases);
    await server.close(); // a fresh server for fuzz: the test run may have crashed it (dies-on-large-head)
    server = await startBrokenServer(fault);
    fuzz = await runFuzz(server.url, v.suites);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await server?.close();
  });

  it('is still failed by wsprobe test, in the cases that name it', () => {
    const named = test.cases.filter((c) => BROKEN_VARIANT_TABLE[fault].expectCaught.some((p) => caseMatches({ id: c.id } as ConformanceCase, p)));
    expect(named.length, test.output).toBeGreaterThan(0);
    expect(named.filter((c) => c.verdict === 'fail').length, named.map(line).join('\n')).toBeGreaterThan(0);
    expect(test.code, test.output).toBe(1);
  });

  it('is still failed by wsprobe fuzz', () => {
    expect(fuzz.cases.filter((c) => c.verdict === 'fail').length, fuzz.cases.map(line).join('\n')).toBeGreaterThan(0);
    expect(fuzz.code, fuzz.output).toBe(1);
  });
});

// ---- Broken variants whose only fault is the close code they pick: non-strict in both commands (ruling 6) ----

/** Variants that only pick a close code no MUST names (docs/verdicts.md, "Rulings", 6), with the suites that see it. */
const CODE_CHOICE_ONLY: readonly [BrokenFault, FuzzSuiteName[]][] = [
  ['close-reply-wrong-code', ['close']],
  ['fails-with-1002-on-bad-utf8', ['utf8']],
  ['accepts-1-byte-close-payload', ['close']],
  ['ignores-close-reason-utf8', ['close']],
];

describe.each(CODE_CHOICE_ONLY)('broken %s: only a close code choice', (fault, suites) => {
  let server: RunningBrokenServer | undefined;
  let test: Run;
  let fuzz: Run;
  beforeAll(async () => {
    server = await startBrokenServer(fault);
    test = await runTest(server.url, BROKEN_VARIANT_TABLE[fault].expectCaught);
    fuzz = await runFuzz(server.url, suites);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await server?.close();
  });

  it('wsprobe test grades it non-strict (other-code or failed-without-close), never fail', () => {
    const soft = test.cases.filter((c) => c.verdict === 'non-strict' && (c.reasonCode === 'other-code' || c.reasonCode === 'failed-without-close'));
    expect(soft.length, test.cases.map(line).join('\n')).toBeGreaterThan(0);
    expect(test.cases.filter((c) => !NOT_FAILED.has(c.verdict)).map(line)).toEqual([]);
  });

  it('wsprobe fuzz reports no failure', () => {
    expect(fuzz.cases.filter((c) => c.verdict !== 'pass').map(fuzzDetail)).toEqual([]);
    expect(fuzz.code, fuzz.output).toBe(0);
  });
});

describe('the conformant server', () => {
  let server: RunningBrokenServer | undefined;
  let test: Run;
  let fuzz: Run;
  const cases = [...new Set(LENIENT_VARIANTS.flatMap((v) => v.cases))];
  const suites = [...new Set(LENIENT_VARIANTS.flatMap((v) => v.suites))];
  beforeAll(async () => {
    server = await startBrokenServer(null);
    test = await runTest(server.url, cases);
    fuzz = await runFuzz(server.url, suites);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await server?.close();
  });

  it('passes every case wsprobe test runs', () => {
    expect(test.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'informational').map(line)).toEqual([]);
    expect(test.code, test.output).toBe(0);
  });

  it('passes every suite wsprobe fuzz runs', () => {
    expect(fuzz.cases.filter((c) => c.verdict !== 'pass').map(fuzzDetail)).toEqual([]);
    expect(fuzz.code, fuzz.output).toBe(0);
  });
});
