// Loopback targets for the fuzz tests: a `ws` echo server on 127.0.0.1, port 0.
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';

/** `perMessageDeflate`: accept permessage-deflate offers (RFC 7692) with ws's defaults. */
export async function startWsEcho(opts: { perMessageDeflate?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: opts.perMessageDeflate ?? false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
