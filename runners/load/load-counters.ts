// The counters a load worker keeps: cumulative, reported once a second, summed by name across workers and shards.

export function newLoadCounters() {
  return {
    connectAttempts: 0,
    opened: 0,
    failed: 0,
    closed: 0,
    dropped: 0,
    reconnects: 0,
    reconnectAttempts: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    pingsSent: 0,
    pongsReceived: 0,
    missedPongs: 0,
    /** Pongs that came only in the grace after a pong timeout (a slow path, not a dead one). */
    latePongs: 0,
    /** Connections found half-open: open locally, a ping unanswered and nothing received for 2 x pong timeout. */
    silentDrops: 0,
    pingsSkipped: 0,
    unsolicitedPongs: 0,
    outOfOrder: 0,
    /** Echoes that carried our stamp (plain message traffic). */
    echoed: 0,
    /** Messages sent that no echo answered (plain message traffic), besides those abandoned below. */
    unmatched: 0,
    /** Messages still in flight on a connection we closed ourselves (the run's end, a stage going down). */
    abandoned: 0,
    /** Messages received that carried no stamp and answered no heartbeat: not echoes of ours. */
    unexpected: 0,
    sendsSkipped: 0,
    peakOpen: 0,
  };
}
export type LoadCounters = ReturnType<typeof newLoadCounters>;

/**
 * Reported with --deflate only: connections that negotiated permessage-deflate, and message payload bytes before
 * compression / after inflation (bytesSent/bytesReceived stay the wire figures). Names that `report merge` sums.
 */
export interface DeflateCounters {
  deflateNegotiated: number;
  appBytesSent: number;
  appBytesReceived: number;
}
