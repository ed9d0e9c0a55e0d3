// The example chat server (examples/chat-server/server.mjs) does what its README and docs/scenarios.md promise, since
// the example scenarios and the conformance test lean on it: the protocol's replies, broadcast fan-out with sentAt
// untouched, --delay and --slow-after as injected latency, /stats counting exactly what was sent, --strict closing
// with 1008 (RFC 6455 §7.4.1), a clean exit on SIGTERM; and the example scenarios are valid, shown in the guide as
// they are, and run against it (`wsprobe load --scenario`) with every wait answered and the server's counters
// agreeing. Each server runs in its own process on 127.0.0.1, port 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import type { RunResult } from '../../../reports/schema.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';

const SERVER = join(REPO_ROOT, 'examples', 'chat-server', 'server.mjs');
const WAIT_MS = 5000;
type Msg = Record<string, unknown>;

interface Chat {
  port: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): Promise<void>;
}
const started: Chat[] = [];

function spawnChat(args: string[]): { child: ChildProcess; exited: Chat['exited']; stdout: () => string } {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { child, exited, stdout: () => stdout };
}

async function startChat(...args: string[]): Promise<Chat> {
  const { child, exited, stdout } = spawnChat(args);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chat server did not print PORT within ${WAIT_MS} ms`)), WAIT_MS);
    child.stdout!.on('data', () => {
      const m = /^PORT (\d+)\n/.exec(stdout());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(({ code, stderr }) => reject(new Error(`chat server exited with ${code}: ${stderr}`)));
  });
  const chat: Chat = {
    port,
    child,
    exited,
    stop: async () => {
      if (child.exitCode !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    },
  };
  started.push(chat);
  return chat;
}

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
});

/** A `ws` client that keeps every message, so a test takes the one it wants in any order, each wait timed. */
class Client {
  readonly received: Msg[] = [];
  bytesIn = 0;
  bytesOut = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => {
      this.bytesIn += data.length;
      this.received.push(JSON.parse(data.toString('utf8')) as Msg);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    void this.closed.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number, path = '/'): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { handshakeTimeout: WAIT_MS });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      const client = new Client(ws);
    });
  }

  send(msg: Msg | string | Buffer): void {
    const data = typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg);
    this.bytesOut += Buffer.byteLength(data);
    this.ws.send(data);
  }

  /** Removes and returns the first message that matches every given field, waiting up to WAIT_MS. */
  async take(fields: Msg): Promise<Msg> {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      const i = this.received.findIndex((m) => Object.entries(fields).every(([k, v]) => JSON.stringify(m[k]) === JSON.stringify(v)));
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      const left = deadline - performance.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no message ${JSON.stringify(fields)}; got ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async request(msg: Msg, reply: Msg): Promise<{ msg: Msg; ms: number }> {
    const t0 = performance.now();
    this.send(msg);
    const got = await this.take(reply);
    return { msg: got, ms: performance.now() - t0 };
  }
}

function httpStats(port: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/stats', timeout: WAIT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(JSON.parse(body) as Msg));
    });
    req.on('timeout', () => req.destroy(new Error('GET /stats timed out')));
    req.on('error', reject);
  });
}

describe('the example chat server', () => {
  it('answers join, publish, leave, ping and stats; fans out to members only with sentAt unchanged', async () => {
    const { port } = await startChat();
    const a = await Client.open(port);
    expect(await a.take({ type: 'welcome' })).toEqual({ type: 'welcome', server: 'wsprobe-chat-example', clients: 1 });
    const b = await Client.open(port, '/chat?user=bob');
    expect((await b.take({ type: 'welcome' })).clients).toBe(2);
    const c = await Client.open(port);
    await c.take({ type: 'welcome' });

    expect((await a.request({ type: 'join', room: 'lobby', id: 'j1' }, { type: 'joined', id: 'j1' })).msg).toEqual({ type: 'joined', room: 'lobby', id: 'j1', members: 1 });
    expect((await b.request({ type: 'join', room: 'lobby', id: 7 }, { type: 'joined', id: 7 })).msg.members).toBe(2);

    a.send({ type: 'publish', room: 'lobby', id: 'p1', body: { text: 'hi' }, sentAt: 1234.5 });
    expect(await a.take({ type: 'published', id: 'p1' })).toEqual({ type: 'published', id: 'p1', delivered: 2 });
    const toA = await a.take({ type: 'message' });
    const toB = await b.take({ type: 'message' });
    expect(toB).toEqual(toA);
    expect(toA).toMatchObject({ type: 'message', room: 'lobby', body: { text: 'hi' }, sentAt: 1234.5 });
    b.send({ type: 'publish', room: 'lobby', id: 'p2', body: 'yo', sentAt: 1 });
    expect((await a.take({ type: 'message', body: 'yo' })).from).not.toBe(toA.from);

    // c is no member: the broadcast would have gone out before c's own `published`, on the same socket.
    c.send({ type: 'publish', room: 'lobby', id: 'p3', body: 'from c', sentAt: 2 });
    expect((await c.take({ type: 'published', id: 'p3' })).delivered).toBe(2);
    expect(c.received.filter((m) => m.type === 'message')).toEqual([]);
    await a.take({ type: 'message', body: 'from c' });

    expect((await b.request({ type: 'leave', room: 'lobby', id: 'l1' }, { type: 'left', id: 'l1' })).msg).toEqual({ type: 'left', room: 'lobby', id: 'l1', members: 1 });
    a.send({ type: 'publish', room: 'lobby', id: 'p4', body: 'after', sentAt: 3 });
    expect((await a.take({ type: 'published', id: 'p4' })).delivered).toBe(1);

    const before = Date.now();
    const { msg: pong } = await a.request({ type: 'ping', id: 'h1' }, { type: 'pong', id: 'h1' });
    expect(pong.serverTime).toBeGreaterThanOrEqual(before);
    expect(pong.serverTime).toBeLessThanOrEqual(Date.now());

    // Without --strict an unknown message gets an error, and the connection goes on.
    a.send('not json');
    expect(await a.take({ type: 'error' })).toEqual({ type: 'error', error: 'unknown message' });
    const { msg: stats } = await a.request({ type: 'stats' }, { type: 'stats' });
    expect(stats).toMatchObject({ connections: 3, connectionsTotal: 3, received: { join: 2, leave: 1, publish: 4, ping: 1, stats: 1, unknown: 1 } });
    expect(stats.broadcastsDelivered).toBe(2 + 2 + 2 + 1);
    for (const cl of [a, b, c]) cl.ws.close();
  });

  it('GET /stats counts exactly what the clients sent and received', async () => {
    const { port } = await startChat();
    const clients = await Promise.all([1, 2, 3].map(() => Client.open(port)));
    for (const cl of clients) await cl.take({ type: 'welcome' });
    const [x, y, z] = clients as [Client, Client, Client];
    for (const [i, cl] of [x, y].entries()) await cl.request({ type: 'join', room: 'r', id: i }, { type: 'joined' });
    for (let i = 0; i < 5; i++) {
      await x.request({ type: 'publish', room: 'r', id: `p${i}`, body: i, sentAt: i }, { type: 'published', id: `p${i}` });
      await y.take({ type: 'message', body: i });
    }
    await z.request({ type: 'publish', room: 'r', id: 'pz', body: 'z', sentAt: 0 }, { type: 'published' });
    await y.take({ type: 'message', body: 'z' });
    await x.take({ type: 'message', body: 'z' });
    for (let i = 0; i < 3; i++) await z.request({ type: 'ping', id: i }, { type: 'pong', id: i });
    await y.request({ type: 'leave', room: 'r', id: 'l' }, { type: 'left' });
    z.send(Buffer.from([1, 2, 3]));
    await z.take({ type: 'error' });

    const stats = await httpStats(port);
    expect(stats).toEqual({
      connections: 3,
      connectionsTotal: 3,
      received: { join: 2, leave: 1, publish: 6, ping: 3, stats: 0, unknown: 1 },
      replies: { welcome: 3, joined: 2, left: 1, published: 6, pong: 3, stats: 0, error: 1 },
      broadcastsDelivered: 5 * 2 + 2,
      bytesIn: clients.reduce((n, cl) => n + cl.bytesOut, 0),
      bytesOut: clients.reduce((n, cl) => n + cl.bytesIn, 0),
    });
    for (const cl of clients) cl.ws.close();
  });

  it('--delay MS sends each join, leave, ping and publish reply at least MS later, not the broadcast', async () => {
    const DELAY = 300;
    const { port } = await startChat('--delay', String(DELAY));
    const a = await Client.open(port);
    await a.take({ type: 'welcome' });
    // libuv measures a timer from the loop's cached clock, so it may fire up to 1 ms early against ours.
    expect((await a.request({ type: 'join', room: 'r', id: 1 }, { type: 'joined' })).ms).toBeGreaterThanOrEqual(DELAY - 1);
    expect((await a.request({ type: 'ping', id: 2 }, { type: 'pong' })).ms).toBeGreaterThanOrEqual(DELAY - 1);
    const arrivals: [string, number][] = [];
    const t0 = performance.now();
    a.ws.on('message', (d: Buffer) => arrivals.push([String((JSON.parse(d.toString()) as Msg).type), performance.now() - t0]));
    a.send({ type: 'publish', room: 'r', id: 3, body: 'b', sentAt: 0 });
    await a.take({ type: 'published', id: 3 });
    expect(arrivals.map(([type]) => type)).toEqual(['message', 'published']);
    expect(arrivals[0]![1]).toBeLessThan(DELAY);
    expect(arrivals[1]![1]).toBeGreaterThanOrEqual(DELAY - 1);
    expect((await a.request({ type: 'leave', room: 'r', id: 5 }, { type: 'left' })).ms).toBeGreaterThanOrEqual(DELAY - 1);
    a.ws.close();
  });

  it('--slow-after N --slow-ms MS delays everything while more than N clients are connected', async () => {
    const SLOW = 400;
    const { port } = await startChat('--slow-after', '1', '--slow-ms', String(SLOW));
    const a = await Client.open(port);
    await a.take({ type: 'welcome' });
    expect((await a.request({ type: 'ping', id: 1 }, { type: 'pong' })).ms).toBeLessThan(SLOW);
    // Timed from before the handshake: the server's timer starts when it sends its 101, before our 'open'.
    const t0 = performance.now();
    const b = await Client.open(port);
    await b.take({ type: 'welcome' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(SLOW - 1);
    expect((await a.request({ type: 'ping', id: 2 }, { type: 'pong' })).ms).toBeGreaterThanOrEqual(SLOW - 1);
    a.ws.close();
    b.ws.close();
  });

  it('--strict closes with 1008 on non-JSON, binary and unknown types, and still serves the protocol', async () => {
    const { port } = await startChat('--strict');
    for (const bad of ['not json', Buffer.from([0xde, 0xad]), JSON.stringify({ type: 'shout' }), JSON.stringify({ type: 'join', room: 5 })]) {
      const cl = await Client.open(port);
      await cl.take({ type: 'welcome' });
      cl.send(bad);
      expect(await cl.closed).toEqual({ code: 1008, reason: 'unknown message' });
      expect(cl.received).toEqual([]);
    }
    const ok = await Client.open(port);
    await ok.request({ type: 'join', room: 'r', id: 1 }, { type: 'joined' });
    expect((await httpStats(port)).received).toMatchObject({ join: 1, unknown: 4 });
    ok.ws.close();
  });

  it('passes any JSON body and sentAt through unchanged, and answers any other text with an error (property)', async () => {
    const { port } = await startChat();
    const a = await Client.open(port);
    await a.take({ type: 'welcome' });
    await a.request({ type: 'join', room: 'p', id: 0 }, { type: 'joined' });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()), async (body, sentAt) => {
        const id = `p${++n}`;
        a.send({ type: 'publish', room: 'p', id, body, sentAt });
        await a.take({ type: 'published', id });
        const got = await a.take({ type: 'message' });
        // "Unchanged" over JSON: what the sender's JSON text said (-0 is written 0).
        expect(got).toEqual({ type: 'message', room: 'p', body: JSON.parse(JSON.stringify(body)), sentAt: JSON.parse(JSON.stringify(sentAt)), from: got.from });
      }),
      { numRuns: 100 },
    );
    const known = (text: string): boolean => {
      try {
        const m = JSON.parse(text) as Msg | null;
        return m !== null && typeof m === 'object' && ['join', 'leave', 'publish', 'ping', 'stats'].includes(m.type as string);
      } catch {
        return false;
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (text) => {
        fc.pre(!known(text));
        a.send(text);
        expect(await a.take({ type: 'error' })).toEqual({ type: 'error', error: 'unknown message' });
      }),
      { numRuns: 100 },
    );
    expect(a.received).toEqual([]);
    a.ws.close();
  });

  it('exits 0 on SIGTERM after closing clients with 1001; a bad flag is a one-line error and exit 2', async () => {
    const chat = await startChat();
    const a = await Client.open(chat.port);
    chat.child.kill('SIGTERM');
    expect((await a.closed).code).toBe(1001);
    expect((await chat.exited).code).toBe(0);

    const { exited } = spawnChat(['--delay', 'soon']);
    const { code, stderr } = await exited;
    expect(code).toBe(2);
    expect(stderr).toBe('chat-server: --delay must be a whole number >= 0, got "soon"\n');
  });
});

describe('the example scenarios', () => {
  const dir = join(REPO_ROOT, 'examples', 'chat-server', 'scenarios');
  const files = ['request-reply.yaml', 'broadcast.yaml', 'heartbeat.yaml'];
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'schemas', 'scenario.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strictRequired: false }).compile(schema);
  const header = readFileSync(join(dir, 'users.csv'), 'utf8').split('\n')[0]!.split(',');

  for (const file of files) {
    it(`${file} conforms to docs/schemas/scenario.schema.json, uses only users.csv's fields, and docs/scenarios.md shows it as it is`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const doc = parseYaml(text) as { data?: string };
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      const fields = [...text.matchAll(/\{\{\s*data\.([^}\s]+)\s*\}\}/g)].map((m) => m[1]!);
      if (fields.length > 0) expect(doc.data).toBe('users.csv');
      for (const f of fields) expect(header).toContain(f);
      // The file from its `name:` line on (the header comment holds the commands, shown apart in the guide).
      const body = text.slice(text.indexOf('\nname:') + 1);
      expect(readFileSync(join(REPO_ROOT, 'docs', 'scenarios.md'), 'utf8')).toContain(body);
    });
  }

  // The scenarios as the README runs them (smaller), on a fresh server each, so its counters are the run's alone.
  for (const [file, connections, joins] of [['request-reply.yaml', 16, 16], ['broadcast.yaml', 12, 10], ['heartbeat.yaml', 16, 0]] as const) {
    it(`wsprobe load --scenario ${file}: every wait answered, nothing unexpected, and the server counted the same`, async () => {
      const { port } = await startChat();
      const out = mkdtempSync(join(tmpdir(), 'wsprobe-chat-load-'));
      try {
        const args = ['load', `ws://127.0.0.1:${port}/`, '--scenario', join('examples', 'chat-server', 'scenarios', file)];
        const r = await runCli([...args, '--connections', String(connections), '--duration', '4', '--workers', '1', '--out', out], { timeoutMs: 60_000 });
        expect(r.code, r.stderr).toBe(0);
        const scenario = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult).load!.scenario!;
        expect(scenario).toMatchObject({ unexpected: 0, unmatched: 0 });
        const steps = Object.values(scenario.steps);
        for (const st of steps.filter((x) => x.kind === 'request' || x.kind === 'expect')) {
          expect(st.timeouts, `${st.kind}.${st.name}`).toBe(0);
          expect(st.matched, `${st.kind}.${st.name}`).toBeGreaterThan(0);
          // A request still in flight when the run ends is neither matched nor a timeout: at most one per connection.
          expect(st.started - st.matched, `${st.kind}.${st.name}`).toBeLessThanOrEqual(connections);
        }
        const stats = await httpStats(port);
        expect(stats.connectionsTotal).toBe(connections);
        expect((stats.received as Msg).join).toBe(joins);
        expect(scenario.steps['request.join']?.started ?? 0).toBe(joins);
        // Messages the server sent in the run's last moment may not have been read before the connections closed.
        const delivered = steps.filter((x) => x.kind === 'subscribe' && x.name !== 'acks').reduce((n, x) => n + x.matched, 0);
        expect(delivered).toBeLessThanOrEqual(stats.broadcastsDelivered as number);
        if (file !== 'heartbeat.yaml') expect(delivered).toBeGreaterThan(0);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 90_000);
  }

  it('one of them reads {{data.user}}, and every scenario the docs name exists', () => {
    expect(files.some((f) => readFileSync(join(dir, f), 'utf8').includes('{{data.user}}'))).toBe(true);
    for (const doc of [join(REPO_ROOT, 'docs', 'scenarios.md'), join(REPO_ROOT, 'examples', 'chat-server', 'README.md')]) {
      const named = [...readFileSync(doc, 'utf8').matchAll(/examples\/chat-server\/scenarios\/([\w.-]+\.yaml)/g)].map((m) => m[1]!);
      expect(named.length).toBeGreaterThan(0);
      for (const f of named) expect(files).toContain(f);
    }
  });
});
