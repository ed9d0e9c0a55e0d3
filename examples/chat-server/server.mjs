// An example application server for wsprobe: a small JSON chat/pub-sub on `ws`, the kind of target users point
// `wsprobe test` and `wsprobe load --scenario` at (README.md beside this file has the protocol and the commands).
// Flags inject the behaviour load tests look for: a fixed reply delay, latency that rises past a connection count,
// and a strict mode that closes on anything it does not understand. Prints "PORT n" once listening.
//
//   node examples/chat-server/server.mjs [--port N] [--host 127.0.0.1] [--delay MS] [--strict]
//                                        [--slow-after N --slow-ms MS]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      delay: { type: 'string', default: '0' },
      strict: { type: 'boolean', default: false },
      'slow-after': { type: 'string' },
      'slow-ms': { type: 'string', default: '0' },
    },
  });
  const int = (name, text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    port: int('port', values.port),
    host: values.host,
    delayMs: int('delay', values.delay),
    strict: values.strict,
    slowAfter: values['slow-after'] === undefined ? Infinity : int('slow-after', values['slow-after']),
    slowMs: int('slow-ms', values['slow-ms']),
  };
}

let opts;
try {
  opts = options();
} catch (err) {
  // One line, as wsprobe's own usage errors.
  process.stderr.write(`chat-server: ${err.message}\n`);
  process.exit(2);
}

const KNOWN = ['join', 'leave', 'publish', 'ping', 'stats'];
const counters = {
  connections: 0,
  connectionsTotal: 0,
  received: Object.fromEntries([...KNOWN, 'unknown'].map((t) => [t, 0])),
  /** Messages sent to one client for its own sake (welcome and every answer), by type; broadcasts are apart. */
  replies: Object.fromEntries(['welcome', 'joined', 'left', 'published', 'pong', 'stats', 'error'].map((t) => [t, 0])),
  broadcastsDelivered: 0,
  bytesIn: 0,
  bytesOut: 0,
};
/** room -> its members */
const rooms = new Map();
let nextId = 1;

/** The capacity-test knob: past `slowAfter` open connections everything goes out `slowMs` later. */
const slowMs = () => (counters.connections > opts.slowAfter ? opts.slowMs : 0);

/** Sends now or after `ms` (one timer per message, so delays overlap as a real slow backend's would). */
function send(client, msg, ms) {
  const out = () => {
    if (client.ws.readyState !== client.ws.OPEN) return;
    const text = JSON.stringify(msg);
    counters.bytesOut += Buffer.byteLength(text);
    client.ws.send(text);
  };
  if (ms > 0) setTimeout(out, ms);
  else out();
}

function reply(client, msg, injected = 0) {
  counters.replies[msg.type] += 1;
  send(client, msg, injected + slowMs());
}

/** A protocol message, or undefined for anything else (non-JSON, binary, unknown type, a field of the wrong type). */
function parse(data, isBinary) {
  if (isBinary) return undefined;
  let msg;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (msg === null || typeof msg !== 'object' || !KNOWN.includes(msg.type)) return undefined;
  if (['join', 'leave', 'publish'].includes(msg.type) && typeof msg.room !== 'string') return undefined;
  return msg;
}

function leave(client, room) {
  const members = rooms.get(room);
  members?.delete(client);
  if (members?.size === 0) rooms.delete(room);
  client.rooms.delete(room);
  return members?.size ?? 0;
}

function handle(client, msg) {
  const { type, room, id } = msg;
  counters.received[type] += 1;
  if (type === 'join') {
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room).add(client);
    client.rooms.add(room);
    return reply(client, { type: 'joined', room, id, members: rooms.get(room).size }, opts.delayMs);
  }
  if (type === 'leave') return reply(client, { type: 'left', room, id, members: leave(client, room) }, opts.delayMs);
  if (type === 'ping') return reply(client, { type: 'pong', id, serverTime: Date.now() }, opts.delayMs);
  if (type === 'stats') return reply(client, { type: 'stats', ...counters });
  // publish: sentAt goes through untouched, so a subscriber can time delivery against the sender's clock.
  const out = { type: 'message', room, body: msg.body, sentAt: msg.sentAt, from: client.id };
  let delivered = 0;
  for (const member of rooms.get(room) ?? []) {
    if (member.ws.readyState !== member.ws.OPEN) continue;
    delivered += 1;
    counters.broadcastsDelivered += 1;
    send(member, out, slowMs());
  }
  return reply(client, { type: 'published', id, delivered }, opts.delayMs);
}

const http = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.split('?')[0] === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(counters));
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  return res.end('not found: WebSocket on any path, counters at GET /stats\n');
});
const wss = new WebSocketServer({ server: http });

wss.on('connection', (ws) => {
  const client = { id: nextId++, ws, rooms: new Set() };
  counters.connections += 1;
  counters.connectionsTotal += 1;
  ws.on('error', () => {});
  ws.on('close', () => {
    counters.connections -= 1;
    for (const room of [...client.rooms]) leave(client, room);
  });
  ws.on('message', (data, isBinary) => {
    counters.bytesIn += data.length;
    const msg = parse(data, isBinary);
    if (msg) return handle(client, msg);
    counters.received.unknown += 1;
    // 1008 (policy violation, RFC 6455 §7.4.1): the generic code for a message the endpoint will not accept.
    if (opts.strict) return ws.close(1008, 'unknown message');
    return reply(client, { type: 'error', error: 'unknown message' });
  });
  reply(client, { type: 'welcome', server: 'wsprobe-chat-example', clients: counters.connections });
});

http.on('error', (err) => {
  process.stderr.write(`chat-server: ${err.message}\n`);
  process.exit(2);
});
http.listen(opts.port, opts.host, () => process.stdout.write(`PORT ${http.address().port}\n`));

function shutdown() {
  // 1001 (going away, RFC 6455 §7.4.1) tells clients the server is stopping, not that they misbehaved.
  for (const ws of wss.clients) ws.close(1001, 'server stopping');
  wss.close();
  http.close(() => process.exit(0));
  // Clients that never answer the close must not hold the exit.
  setTimeout(() => process.exit(0), 1000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
