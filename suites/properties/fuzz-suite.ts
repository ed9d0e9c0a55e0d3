// What a fuzz suite is: an arbitrary, a check of one generated value against a target, and a readable form of the
// value for counterexamples. The runner (runners/fuzz) drives suites with fc.check; suites assert nothing.
import type fc from 'fast-check';
import type { TranscriptEntry } from '../../reports/schema.js';
import type { FuzzRecord, FuzzTarget } from '../../peers/fuzz/fuzz-target.js';
import type { Expectation } from '../define.js';
import { grade, type Grade } from '../grade/grade.js';

export const FUZZ_SUITE_NAMES = ['framing', 'masking', 'fragmentation', 'control', 'utf8', 'close', 'handshake', 'model', 'deflate'] as const;
export type FuzzSuiteName = (typeof FUZZ_SUITE_NAMES)[number];

export function isFuzzSuiteName(name: string): name is FuzzSuiteName {
  return (FUZZ_SUITE_NAMES as readonly string[]).includes(name);
}

/**
 * The result of running one generated value: the one grader's verdict on what the target did (a counterexample is
 * a `fail`), or `harnessError` when our side could not run the case (it is then skipped, never shrunk towards).
 */
export interface CaseCheck {
  grade: Grade | null;
  harnessError?: string;
  /** Every byte sent, handshake included: a replay must send the same. */
  sent: Uint8Array;
  transcript: TranscriptEntry[];
  transcriptOmitted: number;
}

/** Grades a fuzz record against the oracle's expectation (or reports the harness error). */
export function gradeRecord(record: FuzzRecord, expect: Expectation, rfc: string[]): CaseCheck {
  const base = { sent: record.sent, transcript: record.transcript, transcriptOmitted: record.transcriptOmitted };
  if (record.harnessError !== undefined) return { ...base, grade: null, harnessError: record.harnessError };
  return { ...base, grade: grade({ expect, observation: record.observation, rfc }) };
}

export interface FuzzSuite<T = unknown> {
  name: FuzzSuiteName;
  title: string;
  /** RFC sections the suite exercises (RFC 6455 unless written '7692 x'). */
  rfc: string[];
  /** Autobahn case groups covering the same ground, for users comparing. */
  autobahn: string[];
  arbitrary: fc.Arbitrary<T>;
  check(target: FuzzTarget, value: T): Promise<CaseCheck>;
  /** The value as readable lines (frames, steps, request head). */
  describe(value: T): string[];
  /**
   * What a replay needs beyond fc.check's seed and path, read from the shrunk value: fc.commands' replayPath (the
   * model suite). Absent for suites whose shrink tree does not depend on the run.
   */
  replayPath?(value: T): string | null;
}
