// `wsprobe fuzz --emit-case FILE`: a shrunk counterexample becomes a regression case in the conformance catalogue
// format (suites/define.ts), so the bug stays caught by `wsprobe test` without fuzzing. A frame suite's (or the
// model's) case sends the same frames and expects what the model derives for them; a handshake case sends the same
// request head, byte for byte but for the target's host and path, and expects what the fuzz oracle required.
import { Opcode } from '../../protocol/constants.js';
import { closeBody } from '../../suites/properties/close.arb.js';
import { encodeFuzzFrame, fuzzFrame, hex, type FuzzFrame } from '../../suites/properties/fuzz-frame.js';
import type { FuzzSuiteName } from '../../suites/properties/fuzz-suite.js';
import { buildHandshakeHead, type HandshakeCase } from '../../suites/properties/handshake.arb.js';
import { ranCommands } from '../../suites/properties/model.prop.js';
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

/**
 * The frames a counterexample sends, or null for a suite whose values are not plain frame streams: handshake
 * requests, and deflate streams (their bytes depend on the agreement the target chose, so a regression case of them
 * needs the negotiated stage rather than fixed frames).
 */
export function counterexampleFrames(suite: FuzzSuiteName, value: unknown): { frames: FuzzFrame[]; chunking: Chunking } | null {
  if (suite === 'handshake' || suite === 'deflate') return null;
  if (suite === 'model') {
    // Only the steps that ran: a step its check refused sent nothing.
    const frames = ranCommands(value as Parameters<typeof ranCommands>[0]).flatMap((c) => c.frames);
    return { frames, chunking: { kind: 'whole' } };
  }
  const c = value as StreamCase;
  return { frames: c.frames, chunking: c.chunking };
}

/**
 * A dotted kebab-case id, stable for a token: the seed and a hash of the whole token (shrink paths run long):
 * `fuzz.control.rm1830470543-5f2c9a1e`.
 */
function caseId(input: EmitCaseInput): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.token.length; i++) h = Math.imul(h ^ input.token.charCodeAt(i), 0x01000193) >>> 0;
  const seed = input.token.slice(0, input.token.indexOf(':')).replace(/^-/, 'm');
  return `fuzz.${input.suite}.r${seed}-${h.toString(16).padStart(8, '0')}`;
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
  if (input.suite === 'handshake') return emitHandshakeCase(input, input.value as HandshakeCase);
  const got = counterexampleFrames(input.suite, input.value);
  if (got === null) return null;
  const p = predictStream(got.frames);
  const steps: string[] = [];
  for (const m of p.mustFail ? p.echoes.slice(0, p.failures[p.failures.length - 1]!.echoes) : p.echoes) {
    steps.push(`${m.opcode === Opcode.Text ? 'text' : 'binary'}(${bytesExpr(m.payload)})`);
  }
  const id = caseId(input);
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

/**
 * Stand for the target's host (Host: host and port) and hostname (Origin) in the emitted request: the fuzzer sent
 * its own target's.
 */
const HOSTNAME_SENTINEL = 'wsprobe-target.invalid';
const HOST_SENTINEL = `${HOSTNAME_SENTINEL}:1`;

/** A request line as a TypeScript expression; X-Wsprobe-Pad's thousands of `p` stay a repeat() call. */
function lineExpr(line: string): string {
  const m = /^(.*?:[ \t]*)(p{64,})([ \t]*)$/.exec(line);
  if (m === null) return JSON.stringify(line);
  return `${JSON.stringify(m[1])} + 'p'.repeat(${m[2]!.length})${m[3] !== '' ? ` + ${JSON.stringify(m[3])}` : ''}`;
}

/**
 * The handshake counterexample as a case: `handshake: 'manual'`, the same head (header order, name case, OWS,
 * padding, pipelined frame) with the peer's host and path, and the oracle's expectation: an HTTP error (RFC 6455
 * §4.2.1; with Sec-WebSocket-Version for an unsupported version, §4.4) for a request with a fault; else a 101 that
 * passes §4.1's checks, accepts no extension (§9.1), then the echo of our message and a clean close.
 */
function emitHandshakeCase(input: EmitCaseInput, c: HandshakeCase): string {
  const req = buildHandshakeHead(c, new URL(`ws://${HOST_SENTINEL}/`));
  const [method, , version] = req.lines[0]!.split(' ');
  const lines = req.lines.slice(1);
  const message = encodeFuzzFrame(fuzzFrame(Opcode.Text, c.message, c.mask));
  const pipelined = c.pipelined && c.fault === null;
  let expect: string;
  let script: string;
  if (c.fault !== null) {
    const versionRule = c.fault === 'version-unsupported' ? `,\n      requireHeaders: [{ name: 'Sec-WebSocket-Version', matches: /\\S/ }]` : '';
    expect = `{
      kind: 'handshake',
      // The fuzz oracle: any HTTP error status, and a response is required (closing TCP is no answer).
      status: Array.from({ length: 200 }, (_, i) => 400 + i),
      allowDrop: false${versionRule},
    }`;
    script = `const hs = await peer.handshake({ raw: request(peer.url) });
      if (hs.status === 101 && !peer.ended) await closeNormally(peer);`;
  } else {
    expect = `{
      kind: 'handshake',
      status: [101],
      allowDrop: false,
      // RFC 6455 §9.1: the only extension offered is one no server implements.
      forbidHeaders: ['Sec-WebSocket-Extensions'],
      then: echo([text(${bytesExpr(c.message)})]),
    }`;
    script = `const hs = await peer.handshake({ raw: request(peer.url)${pipelined ? ', trailing: MESSAGE' : ''} });
      if (!hs.ok) return;
${pipelined ? '' : '      await peer.send(MESSAGE);\n'}      await peer.waitForMessages(1);
      await closeNormally(peer);`;
  }
  const target = c.query !== null ? `\${url.pathname || '/'}?${c.query}` : `\${url.pathname || '/'}\${url.search}`;
  return `// Regression case emitted by \`wsprobe fuzz --suite handshake --emit-case\` from a shrunk counterexample
// (replay token ${input.token}). The target failed with: ${input.reason.replace(/\n/g, ' ')}
import { closeNormally, defineCase, ${c.fault === null ? 'echo, text, ' : ''}type ConformanceCase } from '${input.defineImport}';
${c.fault === null ? `\nconst hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));\n` : ''}
/** The counterexample's request head (${c.fault === null ? 'a valid request' : `fault ${c.fault}`}) for the target's host and path. */
function request(url: URL): string {
  const lines: string[] = [
    \`${method} ${target} ${version}\`,
${lines.map((l) => `    ${lineExpr(l)},`).join('\n')}
  ];
  const head = lines.map((l) => l.replaceAll(${JSON.stringify(HOST_SENTINEL)}, url.host).replaceAll(${JSON.stringify(HOSTNAME_SENTINEL)}, url.hostname));
  return \`\${head.join('\\r\\n')}\\r\\n\\r\\n\`;
}
${c.fault !== null ? '' : `
/** The text frame the fuzzer sent ${pipelined ? 'in the same write as the head' : 'after the 101'}. */
const MESSAGE = ${bytesExpr(message)};
`}
export const cases: ConformanceCase[] = [
  defineCase({
    id: '${caseId(input)}',
    title: 'Fuzz regression (handshake): the shrunk counterexample of token ${input.token}',
    rfc: ${JSON.stringify(input.rfc)},
    autobahn: [],
    handshake: 'manual',
    expect: ${expect},
    async run(peer) {
      ${script}
    },
  }),
];
`;
}
