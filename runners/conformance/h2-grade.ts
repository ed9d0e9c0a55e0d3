// Grading a case that ran on an HTTP/2 stream (RFC 8441) with the one grader, which speaks RFC 6455 over HTTP/1.1:
// there the opening handshake succeeds with 101, here with 200 (RFC 8441 §5: "any status code other than 200
// indicates that the WebSocket handshake has not completed"). So the grader is shown the observation with a 200
// standing for its 101 (every rule attached to a 101 - the §4.1 checks, `then`, header rules - applies to the 200),
// and the words of its verdict are put back: the real status, "200" where it says "101", and RFC citations the
// grader writes for RFC 6455 only ('8441 5' is RFC 8441 §5). The http2.* cases also state the rule they check,
// which a failure quotes (a failed metric rule quotes its own).
import { h2GraderView } from '../../peers/raw/response-check.js';
import { grade, type Grade, type GradeInput } from '../../suites/grade/grade.js';

/** The status that opens a WebSocket over HTTP/2 (RFC 8441 §5), where the grader knows 101 (RFC 6455 §4.2.2). */
const H2_OPEN = 200;

/** The grader's phrases about the transport and what a stream has for them (RFC 8441 §5: END_STREAM is the FIN). */
const TRANSPORT_WORDS: [RegExp, string][] = [
  [/\bby closing TCP\b/g, 'by resetting or ending the stream'],
  [/\(or close TCP\)/g, '(or reset the stream)'],
  [/\band close TCP\b/g, 'and end the stream (END_STREAM)'],
  [/\bTCP fin\b/g, 'END_STREAM'],
  [/\bTCP (reset|error)\b/g, 'stream $1'],
  [/\bclosed TCP\b/g, 'ended the stream'],
  [/\bkept TCP open\b/g, 'kept the stream open'],
  [/\bwe dropped TCP\b/g, 'we reset the stream'],
];

/** The grader's words in HTTP/2's terms: 200 where it says 101 (`real`: the status sent), the stream for TCP. */
export function h2Words(text: string, real: number | undefined): string {
  let out = text
    .replace(/\bstatus 101\b/g, `status ${real ?? H2_OPEN}`)
    .replace(/\b(not|but|expected) 101\b/g, `$1 ${H2_OPEN}`)
    .replace(/\ban invalid 101\b/g, `an invalid ${H2_OPEN}`);
  for (const [re, words] of TRANSPORT_WORDS) out = out.replace(re, words);
  return out;
}

/** A grade in HTTP/2's words (`real`: the status the target sent). */
export function inH2Words<G extends Pick<Grade, 'reason' | 'expected' | 'observed'>>(g: G, real: number | undefined): G {
  return { ...g, reason: h2Words(g.reason, real), expected: h2Words(g.expected, H2_OPEN), observed: h2Words(g.observed, real) };
}

/** Grades `input` as run over HTTP/2; `rule`: the rule an http2.* case checks, added to a failure's reason. */
export function gradeOverH2(input: GradeInput, rule?: string): Grade {
  const g = inH2Words(grade({ ...input, observation: h2GraderView(input.observation) }), input.observation.handshake?.status);
  return rule !== undefined && g.verdict === 'fail' && g.reasonCode !== 'metric' ? { ...g, reason: `${g.reason}; ${rule}` } : g;
}
