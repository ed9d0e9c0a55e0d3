// `wsprobe load --scenario` against the example chat server (examples/chat-server), an application that does not
// echo (issue 13): request latency equals a delay injected in the server, every count equals the server's own
// counters, broadcast latency is measured for every subscriber across worker processes, thresholds on named steps
// set the exit code, and plain --message-rate against it warns and fails.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../reports/schema.js';
import { mergeRuns } from '../../../reports/merge.js';
import { runLoad } from '../../../runners/load/engine.js';
import { judgeThresholdOnSection } from '../../../runners/load/thresholds.js';
import { loadScenario } from '../../../runners/load/scenario/parse.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { startWsServer, type WsServer } from '../conformance/ws-server.js';
import { profile } from './load-helpers.js';

const SERVER = join(REPO_ROOT, 'examples', 'chat-server', 'server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-scenario-'));
const servers: WsServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function chatServer(...args: string[]): Promise<WsServer> {
  const s = await startWsServer(10_000, [SERVER, '--port', '0', ...args]);
  servers.push(s);
  return s;
}

async function stats(server: WsServer): Promise<Record<string, any>> {
  const res = await fetch(server.url.replace('ws://', 'http://') + 'stats', { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as Record<string, any>;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const WELCOME_AND_JOIN = `
      - expect: { name: welcome, match: { json: { type: welcome } }, timeout: 5s }
      - request: { name: join, send: { json: { type: join, room: r1, id: "{{uuid}}" } }, correlate: id, match: { json: { type: joined } }, timeout: 5s }`;

const RPC = file(
  'rpc.yaml',
  `name: rpc
roles:
  - name: client
    weight: 1
    steps:${WELCOME_AND_JOIN}
      - loop:
          count: 10
          every: 100ms
          steps:
            - request: { name: ping, send: { json: { type: ping, id: "c{{conn}}-{{seq}}" } }, correlate: id, timeout: 5s }
`,
);

const BROADCAST = file(
  'broadcast.yaml',
  `name: broadcast
roles:
  - name: publisher
    count: 2
    steps:${WELCOME_AND_JOIN}
      - subscribe: { name: ticker, match: { json: { type: message } }, timestamp: sentAt }
      - subscribe: { name: acks, match: { json: { type: published } } }
      - think: 1s
      - loop:
          count: 10
          every: 100ms
          steps:
            - send: { name: publish, json: { type: publish, room: r1, id: "{{seq}}", body: "tick {{iteration}}", sentAt: "{{now}}" } }
  - name: subscriber
    weight: 1
    steps:${WELCOME_AND_JOIN}
      - subscribe: { name: ticker, match: { json: { type: message } }, timestamp: sentAt }
`,
);

describe('load scenarios against an application server', () => {
  it('request latency matches the delay injected in the server, and every count matches its counters', async () => {
    const server = await chatServer('--delay', '40');
    const r = await runLoad(profile({ url: server.url, connections: 20, durationS: 3, heartbeatMs: 0, scenario: loadScenario(RPC) }), { inline: true });
    const sc = r.load!.scenario!;
    const ping = sc.steps['request.ping']!;
    expect(ping).toMatchObject({ started: 200, matched: 200, timeouts: 0, late: 0 });
    expect(ping.latency.count).toBe(200);
    expect(ping.latency.min).toBeGreaterThanOrEqual(39);
    expect(ping.latency.p50).toBeLessThan(40 + 40);
    expect(sc.steps['request.join']).toMatchObject({ started: 20, matched: 20 });
    expect(sc.steps['expect.welcome']).toMatchObject({ started: 20, matched: 20 });
    expect(sc).toMatchObject({ unexpected: 0, unmatched: 0, completed: 20, iterationsSkipped: 0, roles: [{ name: 'client', connections: 20 }] });
    const s = await stats(server);
    expect(s.received.ping).toBe(ping.started);
    expect(s.replies.pong).toBe(ping.matched);
    expect(s.received.join).toBe(20);
    expect(r.load!.thresholds.filter((t) => t.note === 'implicit').every((t) => t.ok)).toBe(true);
  }, 60_000);

  it('measures broadcast latency for every subscriber, across worker processes', async () => {
    const server = await chatServer();
    const r = await runLoad(profile({ url: server.url, connections: 30, durationS: 4, heartbeatMs: 1000, workers: 2, scenario: loadScenario(BROADCAST) }));
    const sc = r.load!.scenario!;
    expect(r.load!.runner!.workers).toBe(2);
    expect(sc.roles).toEqual([
      { name: 'publisher', connections: 2 },
      { name: 'subscriber', connections: 28 },
    ]);
    expect(sc.steps['send.publish']!.started).toBe(20);
    // Every publish reaches every member of the room: 2 publishers and 28 subscribers.
    const ticker = sc.steps['subscribe.ticker']!;
    expect(ticker.matched).toBe(20 * 30);
    expect(ticker.latency.count).toBe(ticker.matched);
    expect(ticker.latency.max).toBeLessThan(1000);
    expect(sc.steps['subscribe.acks']!.matched).toBe(20);
    expect(sc.unexpected).toBe(0);
    const s = await stats(server);
    expect(s.broadcastsDelivered).toBe(ticker.matched);
    expect(s.received.publish).toBe(20);
    expect(r.load!.timeline.some((p) => (p.steps?.['subscribe.ticker']?.matched ?? 0) > 0)).toBe(true);
  }, 60_000);

  it('shards split the roles exactly and merge to the whole run', async () => {
    const server = await chatServer();
    const scenario = loadScenario(BROADCAST);
    const shard = (index: number) =>
      runLoad(profile({ url: server.url, connections: 30, durationS: 4, heartbeatMs: 0, scenario, shard: { index, count: 2 }, thresholds: ['subscribe.ticker.p99<1s'] }), { inline: true });
    const shards = await Promise.all([shard(1), shard(2)]);
    const merged = mergeRuns(shards, { judgeThreshold: judgeThresholdOnSection }).load!;
    const sc = merged.scenario!;
    // Role assignment is by global index, so the two shards hold the same roles as one run would.
    expect(sc.roles).toEqual([
      { name: 'publisher', connections: 2 },
      { name: 'subscriber', connections: 28 },
    ]);
    expect(sc.steps['send.publish']!.started).toBe(20);
    expect(sc.steps['subscribe.ticker']!.matched).toBe(20 * 30);
    expect(sc.steps['subscribe.ticker']!.latency.count).toBe(20 * 30);
    expect(sc.steps['request.join']).toMatchObject({ started: 30, matched: 30 });
    expect(merged.thresholds.find((t) => t.expr === 'subscribe.ticker.p99<1s')).toMatchObject({ ok: true });
    expect((await stats(server)).broadcastsDelivered).toBe(20 * 30);
  }, 60_000);

  it('thresholds on named steps set the exit code; the summary has the step table', async () => {
    const server = await chatServer('--delay', '20');
    const run = (threshold: string) =>
      runCli(['load', server.url, '--scenario', RPC, '--connections', '5', '--duration', '2', '--heartbeat', '0', '--threshold', threshold, '--out', join(dir, 'cli')], {
        timeoutMs: 60_000,
      });
    const breached = await run('request.ping.p99<1ms');
    expect(breached.code, breached.stderr).toBe(1);
    expect(breached.stdout).toMatch(/request\.ping/);
    const held = await run('request.ping.p99<5s');
    expect(held.code, held.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'cli', 'results.json'), 'utf8')) as RunResult;
    expect(result.load!.thresholds.map((t) => [t.expr, t.ok])).toContainEqual(['request.ping.p99<5s', true]);
    const unknown = await run('request.nope.p99<5s');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('a request nobody answers fails the run loudly', async () => {
    const server = await chatServer();
    const silent = file(
      'silent.yaml',
      `roles:
  - name: c
    weight: 1
    steps:
      - request: { name: lookup, send: { json: { type: nothing-answers-this, id: "{{uuid}}" } }, correlate: id, timeout: 500ms }
`,
    );
    const r = await runCli(['load', server.url, '--scenario', silent, '--connections', '3', '--duration', '2', '--heartbeat', '0', '--out', join(dir, 'silent')], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, 'silent', 'results.json'), 'utf8')) as RunResult;
    expect(result.load!.scenario!.steps['request.lookup']).toMatchObject({ started: 3, matched: 0, timeouts: 3 });
    expect(result.load!.thresholds).toContainEqual(expect.objectContaining({ expr: 'request.lookup.matched>0', ok: false, note: 'implicit' }));
    // Its greeting and its error reply match nothing: two unexpected messages per connection.
    expect(result.load!.scenario).toMatchObject({ unexpected: 6, connectionsWithUnexpected: 3, unmatched: 3, connectionsWithUnmatched: 3 });
  }, 60_000);

  it('plain --message-rate against a server that does not echo warns at the start and fails', async () => {
    const server = await chatServer();
    const r = await runCli(['load', server.url, '--message-rate', '2', '--connections', '3', '--duration', '2', '--out', join(dir, 'rate')], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/does not echo/);
    const result = JSON.parse(readFileSync(join(dir, 'rate', 'results.json'), 'utf8')) as RunResult;
    expect(result.load!.counters.unmatched).toBe(result.load!.counters.messagesSent);
    expect(result.load!.counters.messagesSent).toBeGreaterThan(0);
    expect(result.load!.thresholds).toContainEqual(expect.objectContaining({ expr: 'messages.unmatched.rate<1%', ok: false, note: 'implicit' }));
  }, 60_000);

  it('capacity with a scenario finds the knee of a server that slows down past 40 connections', async () => {
    const server = await chatServer('--slow-after', '40', '--slow-ms', '150');
    const rpc = file(
      'knee.yaml',
      `roles:
  - name: client
    weight: 1
    steps:
      - loop:
          every: 200ms
          steps:
            - request: { name: rpc, send: { json: { type: ping, id: "{{seq}}" } }, correlate: id, timeout: 5s }
`,
    );
    const out = join(dir, 'knee');
    const r = await runCli(
      ['capacity', server.url, '--scenario', rpc, '--slo', 'request.rpc.p99<100ms', '--start', '10', '--max-connections', '160', '--step-duration', '2', '--heartbeat', '0', '--resolution', '0.05', '--out', out],
      { timeoutMs: 180_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const knee = result.capacity!.maxConnections!;
    expect(knee).toBeGreaterThanOrEqual(36);
    expect(knee).toBeLessThanOrEqual(44);
  }, 200_000);
});
