// A `ws` echo server in a child process on 127.0.0.1 port 0: the runner and the target must not share an event
// loop, or a megabyte transfer in one stalls the other's timers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const SERVER = `
const { WebSocketServer } = await import(process.env.WS_MODULE);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => process.stdout.write('PORT ' + wss.address().port + '\\n'));
`;

export interface WsServer {
  url: string;
  stop(): Promise<void>;
}

/** `args`: another server script to run with node instead of the echo server (it prints "PORT n" when listening). */
export function startWsServer(timeoutMs = 10_000, args?: string[]): Promise<WsServer> {
  const wsModule = createRequire(import.meta.url).resolve('ws').replace(/index\.js$/, 'wrapper.mjs');
  const child: ChildProcess = spawn(process.execPath, args ?? ['--input-type=module', '-e', SERVER], {
    env: { ...process.env, WS_MODULE: new URL(`file://${wsModule}`).href },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('ws server did not start'));
    }, timeoutMs);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: `ws://127.0.0.1:${m[1]}/`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ws server exited with ${code}`));
    });
  });
}
