// `wsprobe fuzz --emit-case FILE`: a shrunk counterexample of a frame suite (or the model) becomes a regression case
// in the conformance catalogue format (suites/define.ts): the same frames, the expectation the model derives for
// them, so the bug stays caught by `wsprobe test` without fuzzing.
import { Opcode } from '../../protocol/constants.js';
import { closeBody } from '../../suites/properties/close.arb.js';
import { hex, type FuzzFrame } from '../../suites/properties/fuzz-frame.js';
import type { FuzzSuiteName } from '../../suites/properties/fuzz-suite.js';
import { predictStream } from '../../suites/properties/model/predict-stream.js';
import type { StreamCase } from '../../suites/properties/stream.arb.js';
import type { Chunking } from '../../peers/fuzz/chunking.js';

export interface EmitCaseInput {
  suite: FuzzSuiteName;
  token: string;
  value: unknown;
  reason: string;
  rfc: string[];
  /** Import specifier of suites/define.js as seen from the emitted file. */
  defineImport: string;
}

/** The frames a counterexample sends, or null for a suite whose values are not frame streams (handshake). */
export function counterexampleFrames(suite: FuzzSuiteName, value: unknown): { frames: FuzzFrame[]; chunking: Chunking } | null {
  if (suite === 'handshake') return null;
  if (suite === 'model') {
    const frames = [...(value as Iterable<{ frames?: FuzzFrame[] }>)].flatMap((c) => c.frames ?? []);
    return { frames, chunking: { kind: 'whole' } };
  }
  const c = value as StreamCase;
  return { frames: c.frames, chunking: c.chunking };
}

function bytesExpr(b: Uint8Array): string {
  return b.length === 0 ? 'new Uint8Array(0)' : `hex('${hex(b)}')`;
}

function frameExpr(f: FuzzFrame): string {
  const parts = [`opcode: 0x${f.opcode.toString(16)}`, `payload: ${bytesExpr(f.payload)}`, `fin: ${f.fin}`];
  if (f.rsv1) parts.push('rsv1: true');
  if (f.rsv2) parts.push('rsv2: true');
  if (f.rsv3) parts.push('rsv3: true');
  parts.push(`mask: ${f.mask === null ? 'null' : bytesExpr(f.mask)}`);
  if (f.lengthForm !== undefined) parts.push(`lengthForm: ${f.lengthForm}`);
  if (f.lengthOverride !== undefined) parts.push(`lengthOverride: 0x${f.lengthOverride.toString(16)}n`);
  return `{ ${parts.join(', ')} }`;
}

function chopExpr(c: Chunking): string {
  if (c.kind === 'whole') return `{ chop: 'whole' }`;
  if (c.kind === 'frames') return `{ chop: 'frame' }`;
  return `{ chop: ${c.sizes[0] ?? 1}${c.pauseMs > 0 ? `, pauseMs: ${c.pauseMs}` : ''} }`;
}

function isOurClose(f: FuzzFrame | undefined): boolean {
  if (f === undefined || f.opcode !== Opcode.Close || f.payload.length !== 2) return false;
  const want = closeBody(1000);
  return f.payload[0] === want[0] && f.payload[1] === want[1];
}

export function emitRegressionCase(input: EmitCaseInput): string | null {
  const got = counterexampleFrames(input.suite, input.value);
  if (got === null) return null;
  const p = predictStream(got.frames);
  const steps: string[] = [];
  for (const m of p.mustFail ? p.echoes.slice(0, p.failures[p.failures.length - 1]!.echoes) : p.echoes) {
    steps.push(`${m.opcode === Opcode.Text ? 'text' : 'binary'}(${bytesExpr(m.payload)})`);
  }
  const id = `fuzz.${input.suite}.r${input.token.replace(/^-/, 'm').replace(/:/g, '-')}`;
  let frames = got.frames;
  let ending = 'await awaitFailure(peer);';
  let expect: string;
  if (p.mustFail) {
    const f = p.failures[p.failures.length - 1]!;
    expect = `failWith([${f.codes.join(', ')}]${steps.length > 0 ? `, { before: [${steps.join(', ')}] }` : ''})`;
  } else {
    // Pongs for the pings, in order; the stream's final close 1000 becomes the catalogue's closeNormally.
    const pongs = p.pings.map((ping) => `pong(${bytesExpr(ping)})`);
    expect = `echo([${[...steps, ...pongs].join(', ')}])`;
    if (isOurClose(frames[frames.length - 1])) {
      frames = frames.slice(0, -1);
      ending = 'await closeNormally(peer);';
    } else {
      ending = 'await awaitFailure(peer);';
    }
  }
  const helpers = ['awaitFailure', 'binary', 'closeNormally', 'defineCase', 'echo', 'failWith', 'pong', 'text'].filter((h) =>
    new RegExp(`\\b${h}\\(`).test(`${expect} ${ending} defineCase(`),
  );
  return `// Regression case emitted by \`wsprobe fuzz --suite ${input.suite} --emit-case\` from a shrunk counterexample
// (replay token ${input.token}). The target failed with: ${input.reason.replace(/\n/g, ' ')}
import { ${[...helpers, 'type ConformanceCase'].join(', ')} } from '${input.defineImport}';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

export const cases: ConformanceCase[] = [
  defineCase({
    id: '${id}',
    title: 'Fuzz regression (${input.suite}): the shrunk counterexample of token ${input.token}',
    rfc: ${JSON.stringify(input.rfc)},
    autobahn: [],
    expect: ${expect},
    async run(peer) {
      await peer.sendFrames(
        [
${frames.map((f) => `          ${frameExpr(f)},`).join('\n')}
        ],
        ${chopExpr(got.chunking)},
      );
      ${ending}
    },
  }),
];
`;
}
