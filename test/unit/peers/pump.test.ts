// The pump over a real loopback socket pair: backpressure pauses reading, the close timeout drops TCP, resets
// and FINs are told apart, and bytes that came with the handshake are fed first.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../protocol/connection/connection.js';
import { Pump, type TcpClosed } from '../../../peers/pump.js';

interface Pair {
  server: Socket;
  client: Socket;
}

let listener: Server | null = null;
afterEach(async () => {
  if (listener) await new Promise((r) => listener!.close(r));
  listener = null;
});

async function socketPair(): Promise<Pair> {
  const accepted = new Promise<Socket>((resolve) => {
    listener = createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', () => r()));
  const client = connect({ host: '127.0.0.1', port: (listener!.address() as { port: number }).port });
  client.on('error', () => {});
  await new Promise((r) => client.once('connect', r));
  return { server: await accepted, client };
}

function serverPump(socket: Socket, opts: { closeTimeoutMs?: number; highWaterMark?: number } = {}) {
  const events: ConnectionEvent[] = [];
  let resolveTcp!: (t: TcpClosed) => void;
  const tcp = new Promise<TcpClosed>((r) => (resolveTcp = r));
  const connection = new Connection({ role: 'server' });
  const pump = new Pump(socket, connection, { ...opts, onEvent: (e) => events.push(e), onTcpClosed: resolveTcp });
  return { pump, connection, events, tcp };
}

/** A masked client frame with a zero mask key (payload bytes unchanged). */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new Error('small frames only');
  return new Uint8Array([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0, ...payload]);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

describe('Pump', () => {
  it('feeds the bytes that came with the handshake before anything read later', async () => {
    const { server, client } = await socketPair();
    const { pump, events } = serverPump(server);
    pump.start(clientFrame(1, new TextEncoder().encode('first')));
    client.write(clientFrame(1, new TextEncoder().encode('second')));
    await withTimeout(
      new Promise<void>((r) => {
        const check = setInterval(() => {
          if (events.filter((e) => e.type === 'text').length === 2) {
            clearInterval(check);
            r();
          }
        }, 5);
      }),
      2000,
      'two messages',
    );
    expect(events.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', data: 'first' },
      { type: 'text', data: 'second' },
    ]);
    client.destroy();
  });

  it('pauses reading while the peer does not read, and resumes once the writes drain', async () => {
    const { server, client } = await socketPair();
    client.pause();
    const { pump, connection } = serverPump(server, { highWaterMark: 64 * 1024 });
    pump.start();
    connection.sendBinary(new Uint8Array(16 * 1024 * 1024));
    pump.flush();
    expect(server.writableLength).toBeGreaterThan(64 * 1024);
    expect(server.isPaused()).toBe(true);
    let received = 0;
    client.on('data', (d: Buffer) => (received += d.length));
    const drained = new Promise((r) => server.once('drain', r));
    client.resume();
    await withTimeout(drained, 10_000, 'drain');
    expect(server.isPaused()).toBe(false);
    expect(received).toBeGreaterThan(0);
    client.destroy();
  });

  it('drops TCP after the close timeout when the peer never answers the close frame', async () => {
    const { server, client } = await socketPair();
    const { pump, connection, events, tcp } = serverPump(server, { closeTimeoutMs: 100 });
    pump.start();
    const started = performance.now();
    connection.sendClose(1000, 'bye');
    pump.flush();
    const t = await withTimeout(tcp, 3000, 'tcp closed');
    expect(t.end).toBe('close-timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(events.at(-1)).toMatchObject({ type: 'closed', code: 1006, wasClean: false });
    client.destroy();
  });

  it('ends TCP itself (server side) once the close handshake completes', async () => {
    const { server, client } = await socketPair();
    const { pump, tcp, events } = serverPump(server);
    pump.start();
    const clientEnd = new Promise((r) => client.once('end', r));
    client.resume(); // 'end' comes only to a flowing stream
    client.write(new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
    await withTimeout(clientEnd, 2000, 'FIN from the server');
    client.end();
    const t = await withTimeout(tcp, 2000, 'tcp closed');
    expect(t.end).toBe('local-fin');
    expect(events.find((e) => e.type === 'closed')).toMatchObject({ code: 1000, wasClean: true });
  });

  it('tells a FIN without a close frame (1006, unexpected-eof) from a reset', async () => {
    const a = await socketPair();
    const fin = serverPump(a.server);
    fin.pump.start();
    a.client.end();
    expect((await withTimeout(fin.tcp, 2000, 'fin')).end).toBe('remote-fin');
    expect(fin.events.some((e) => e.type === 'violation' && e.violation.id === 'unexpected-eof')).toBe(true);
    expect(fin.events.at(-1)).toMatchObject({ type: 'closed', code: 1006 });
    await new Promise((r) => listener!.close(r));

    const b = await socketPair();
    const rst = serverPump(b.server);
    rst.pump.start();
    b.client.resetAndDestroy();
    const t = await withTimeout(rst.tcp, 2000, 'reset');
    expect(t.end).toBe('reset');
    expect(t.errorCode).toBe('ECONNRESET');
  });
});
