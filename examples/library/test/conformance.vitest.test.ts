// vitest: `import 'wsprobe/vitest'` registers expect(result).toConform() (or put it in setupFiles).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsprobeConformance } from 'wsprobe/vitest';
import { startEchoServer, type EchoServer } from '../src/server.js';

describe('echo server', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('conforms to RFC 6455 framing and UTF-8 rules', async () => {
    expect(await wsprobeConformance(server.url, { cases: ['framing.*', 'utf8.*'], quick: true })).toConform();
  }, 120_000);
});
