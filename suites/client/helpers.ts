// Shared pieces of the client catalogue (`wsprobe test-client`) that only the server's side has: the case form and
// ending of handshake cases (our response, then the probe a refusing client must not echo), the refuse and
// offered-deflate expectations, and builders of the responses. The endings and builders both catalogues use
// (closeNormally, awaitFailure, echo, failWith, ...) are suites/define.ts's, re-exported here. Scripts act and
// observe and assert nothing; the grader (suites/grade/client.ts) decides.
import { computeAcceptKey } from '../../protocol/handshake/accept-key.js';
import { Opcode } from '../../protocol/constants.js';
import { PERMESSAGE_DEFLATE } from '../../protocol/extensions/permessage-deflate.js';
import { closeNormally, type WirePeer } from '../define.js';
import { defineClientCase, REFUSE_PROBE, type ClientCase, type ClientExpectation, type ResponseSpec, type ServerPeer } from './define.js';

export { awaitFailure, closeNormally, echo, failWith, informational, waitForLatestPong } from '../define.js';

// ---- Expectation builders (plain data; echo, failWith and informational are the server catalogue's) ----

/** Our response breaks `rule` (quoted) of section `rfc`: the client must not open the connection. */
export function refuse(rfc: string, rule: string): ClientExpectation {
  return { kind: 'refuse', rfc, rule };
}

/** Graded by `then` when the client offered permessage-deflate, else unimplemented (Autobahn 12.x/13.x). */
export function offeredDeflate(then: ClientExpectation): ClientExpectation {
  return { kind: 'offered', extension: PERMESSAGE_DEFLATE, then };
}

// ---- Script endings (closeNormally, awaitFailure and waitForLatestPong are the server catalogue's) ----

/**
 * Ending of a refusal case, after the bad response: the probe message (a client that echoes it took the connection
 * as open), then the client's end of TCP, bounded by the case deadline; still open then, we drop it ourselves.
 */
export async function awaitRefusal(peer: ServerPeer): Promise<void> {
  if (!peer.ended) await peer.sendMessage(Opcode.Text, REFUSE_PROBE);
  if (!(await peer.waitForEnd())) peer.drop();
}

/** Ending of a case that sends `count` messages: wait for their echoes, then close normally. */
export async function echoThenClose(peer: WirePeer, count: number): Promise<void> {
  if (count > 0) await peer.waitForMessages(count);
  await closeNormally(peer);
}

// ---- Handshake cases ----

/**
 * A case about our response to the client's opening handshake: `response` is sent by the runner (a spec) or by the
 * script (a function of the client's request, for values computed from its key), then `then` runs.
 */
export function responseCase(
  c: Pick<ClientCase, 'id' | 'title' | 'rfc' | 'expect'>,
  response: ResponseSpec | ((peer: ServerPeer) => ResponseSpec),
  then: (peer: ServerPeer) => Promise<void>,
): ClientCase {
  const manual = typeof response === 'function';
  return defineClientCase({
    ...c,
    autobahn: [],
    response: manual ? 'manual' : response,
    async run(peer) {
      if (manual) await peer.respond(response(peer));
      await then(peer);
    },
  });
}

// ---- Responses ----

/** The correct Sec-WebSocket-Accept for the client's key (RFC 6455 §4.2.2 step 5.4); '' without a key. */
export function correctAccept(peer: ServerPeer): string {
  return peer.request.key !== undefined ? computeAcceptKey(peer.request.key) : '';
}

/**
 * A response with status `status` instead of 101, everything else as in a correct 101 (Upgrade, Connection, the
 * right Sec-WebSocket-Accept), so the status is the only thing wrong: a client that looks at the headers alone
 * takes it for an upgrade. `Connection: close` is added to the upgrade token (RFC 7230 §6.6: a client that
 * receives it "MUST ... close the connection after reading the response"), so closing TCP is what HTTP asks too.
 */
export function statusResponse(status: number, opts: { reason?: string; headers?: [string, string][]; body?: string } = {}): ResponseSpec {
  return {
    status,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    replaceHeaders: [['Connection', 'Upgrade, close']],
    addHeaders: [['Content-Type', 'text/plain; charset=utf-8'], ...(opts.headers ?? [])],
    body: opts.body ?? `wsprobe: status ${status} instead of 101\n`,
  };
}

/** RFC 6455 §4.1, the sentence that ends the client's checks; quoted by refusal cases whose rule is not a step. */
export const CONFORM_RULE =
  "If the server's response does not conform to the requirements for the server's handshake as defined in this section and in Section 4.2.2, the client MUST _Fail the WebSocket Connection_.";
