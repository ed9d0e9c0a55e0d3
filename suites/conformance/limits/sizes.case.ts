// Large messages (Autobahn 9.1-9.6): one frame of 64 KiB to 16 MiB; 4 MiB in frames of 64 B to 4 MiB; 1 MiB
// written in TCP chops of 64 B to 2 KiB. RFC 6455 §5.2 allows 63-bit lengths and §5.4 any fragmentation; the echo
// is compared by length and SHA-256, and the round trip is reported (metric rttMs). Budgets are generous: a slow
// target is reported slow, not failed. 16 MiB cases are tagged 'huge' (skipped by --quick). A target that refuses
// such a message with 1009 or 1008 (its own size or fragment-count limit) is non-strict (limit-reached), not failed:
// RFC 6455 §10.4 lets implementations set limits; a correct server still answers with a clean close.
import { performance } from 'node:perf_hooks';
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, digestStep, patternPayload, type CaseTag, type Chop, type ConformanceCase, type WirePeer } from '../../define.js';

const KiB = 1024;
const MiB = 1024 * 1024;

function sizeLabel(n: number): string {
  return n >= MiB ? `${n / MiB}m` : n >= KiB ? `${n / KiB}k` : `${n}`;
}

/** Budget by size: 10 s up to 256 KiB, then about 6 s per MiB, at most 120 s. */
function budget(bytes: number): number {
  return Math.min(120_000, Math.max(10_000, Math.ceil((bytes / MiB) * 6000) + 10_000));
}

async function roundTrip(peer: WirePeer, send: () => Promise<void>): Promise<void> {
  const start = performance.now();
  await send();
  if (await peer.waitForMessages(1)) peer.metric('rttMs', Math.round((performance.now() - start) * 1000) / 1000);
  await closeNormally(peer);
}

function bigCase(opts: {
  id: string;
  title: string;
  kind: 'text' | 'binary';
  size: number;
  autobahn: string;
  fragmentSize?: number;
  chop?: Chop;
}): ConformanceCase {
  const tags: CaseTag[] = opts.size >= 16 * MiB ? ['huge', 'heavy'] : opts.size >= MiB ? ['heavy'] : [];
  const op = opts.kind === 'text' ? Opcode.Text : Opcode.Binary;
  return defineWireCase({
    id: opts.id,
    title: opts.title,
    rfc: ['5.2', '5.4', '5.6'],
    autobahn: [opts.autobahn],
    tags,
    timeoutMs: budget(opts.size) * (opts.chop !== undefined && opts.chop !== 'whole' ? 2 : 1),
    expect: () => ({ kind: 'behave', receive: [digestStep(opts.kind, patternPayload(opts.kind, opts.size))], limitCodes: [1008, 1009] }),
    run: (peer) =>
      roundTrip(peer, () =>
        peer.sendMessage(op, patternPayload(opts.kind, opts.size), {
          ...(opts.fragmentSize !== undefined ? { fragmentSize: opts.fragmentSize } : {}),
          ...(opts.chop !== undefined ? { chop: opts.chop } : {}),
        }),
      ),
  });
}

const ONE_FRAME = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
const FRAGMENTS = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
const CHOPS = [64, 128, 256, 512, 1024, 2048];

export const cases: ConformanceCase[] = (['text', 'binary'] as const).flatMap((kind) => {
  const group = kind === 'text' ? [1, 3, 5] : [2, 4, 6];
  return [
    ...ONE_FRAME.map((size, i) =>
      bigCase({ id: `limits.${kind}.size-${sizeLabel(size)}`, title: `A ${sizeLabel(size).toUpperCase()}B ${kind} message in one frame is echoed`, kind, size, autobahn: `9.${group[0]}.${i + 1}` }),
    ),
    ...FRAGMENTS.map((frag, i) =>
      bigCase({
        id: `limits.${kind}.4m.frames-${sizeLabel(frag)}`,
        title: `A 4 MiB ${kind} message in frames of ${sizeLabel(frag).toUpperCase()}B is echoed`,
        kind,
        size: 4 * MiB,
        fragmentSize: frag,
        autobahn: `9.${group[1]}.${i + 1}`,
      }),
    ),
    ...CHOPS.map((chop, i) =>
      bigCase({
        id: `limits.${kind}.1m.chop-${chop}`,
        title: `A 1 MiB ${kind} message in one frame, written in TCP chops of ${chop} bytes, is echoed`,
        kind,
        size: MiB,
        chop,
        autobahn: `9.${group[2]}.${i + 1}`,
      }),
    ),
  ];
});
