// In-process drivers for Node WebSocket clients, each run through the Autobahn loop (autobahn-loop.ts):
// - ws: the `ws` package, `new WebSocket(url, { perMessageDeflate: true })` (its default offer), so the
//   permessage-deflate cases run;
// - undici: `WebSocket` from the undici package (the implementation behind Node's global WebSocket);
// - node: Node's global WebSocket, where it exists (Node 22 and later; Node 20 with --experimental-websocket).
// Packages load when a driver is prepared, so the CLI starts without them.
import { autobahnLoop, type OpenWebSocket, type WebSocketLike } from './autobahn-loop.js';
import { DriverSetupError, type Driver, type DriverContext } from './types.js';

export function wsDriver(): Driver {
  let open: ((ctx: DriverContext) => OpenWebSocket) | undefined;
  return {
    name: 'ws',
    async prepare() {
      const { WebSocket } = await import('ws');
      open = (ctx) => (url) => ({ ws: new WebSocket(url, { perMessageDeflate: true, rejectUnauthorized: !ctx.secure }) as unknown as WebSocketLike });
    },
    run: (ctx) => autobahnLoop(open!(ctx), ctx),
  };
}

const loadUndici = () => import('undici');

export function undiciDriver(): Driver {
  let open: ((ctx: DriverContext) => OpenWebSocket) | undefined;
  return {
    name: 'undici',
    async prepare() {
      let undici: Awaited<ReturnType<typeof loadUndici>>;
      try {
        undici = await loadUndici();
      } catch (err) {
        throw new DriverSetupError(`the undici driver needs the undici package (npm install undici): ${(err as Error).message.split('\n')[0]}`);
      }
      const { WebSocket, Agent } = undici;
      // A dispatcher per connection, destroyed after it: on the shared one, the connections of cases that answer
      // the upgrade with a non-101 status stay busy until the server drops them, and new connections queue behind
      // them. It is also how an untrusted certificate (wss:// with --tls-cert) is accepted.
      open = (ctx) => (url) => {
        const dispatcher = new Agent(ctx.secure ? { connect: { rejectUnauthorized: false } } : {});
        return { ws: new WebSocket(url, { dispatcher }) as unknown as WebSocketLike, release: () => void dispatcher.destroy().catch(() => undefined) };
      };
    },
    run: (ctx) => autobahnLoop(open!(ctx), ctx),
  };
}

/** Node's global WebSocket, when this Node has one. */
export function nodeDriver(): Driver {
  return {
    name: 'node',
    async prepare({ secure }) {
      if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
        throw new DriverSetupError(`this Node (${process.version}) has no global WebSocket (Node 22+, or Node 20 with --experimental-websocket); use --driver undici`);
      }
      if (secure) throw new DriverSetupError("the node driver cannot skip certificate checks (Node's global WebSocket): use --driver undici or ws with --tls-cert");
    },
    run(ctx) {
      const Ctor = (globalThis as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket;
      return autobahnLoop((url) => ({ ws: new Ctor(url) }), ctx);
    },
  };
}
