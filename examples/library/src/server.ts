// The application under test: a small echo server on `ws`, started on a port the OS chooses.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

export function startEchoServer(port = 0): Promise<EchoServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 16 * 1024 * 1024 });
    wss.on('connection', (socket) => {
      // ws reports a peer's protocol violation (wsprobe sends many on purpose) as an 'error' after closing with
      // the right code; without a listener it would be an uncaught exception.
      socket.on('error', () => {});
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    wss.once('error', reject);
    wss.once('listening', () => {
      const { port: bound } = wss.address() as AddressInfo;
      resolve({
        url: `ws://127.0.0.1:${bound}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
