// Progress only listens to the engine's events (autocannon's split): a live line on stderr when it is a TTY,
// otherwise a plain line every few seconds. stdout stays clean.
import type { LoadEvent } from './engine.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const PLAIN_EVERY_S = 5;

function line(e: Extract<LoadEvent, { type: 'tick' }>): string {
  const p = e.point;
  const ping = p.pingRttP99 !== undefined ? `${p.pingRttP99.toFixed(1)} ms` : '-';
  const msg = p.messageRttP99 !== undefined ? ` msg p99 ${p.messageRttP99.toFixed(1)} ms` : '';
  return (
    `t=${p.t}s open ${p.open}/${p.target} msgs/s ${p.messagesSent}/${p.messagesReceived} ping p99 ${ping}${msg} ` +
    `errors ${e.errorsTotal} cpu ${Math.round(p.runnerCpuPercent ?? 0)}%`
  );
}

export function attachProgress(stream: ProgressStream): { onEvent(e: LoadEvent): void; end(): void } {
  const tty = stream.isTTY === true;
  let live = false;
  const clear = (): void => {
    if (tty && live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'target':
          clear();
          stream.write(`wsprobe load: target ${e.url}${e.embedded ? ` (embedded reference server, ${e.serverProcesses} process(es))` : ''}\n`);
          break;
        case 'started':
          stream.write(`wsprobe load: ${e.connections} connections over ${e.workers} worker(s)\n`);
          break;
        case 'tick':
          if (tty) {
            stream.write(`\r\x1b[2K${line(e)}`);
            live = true;
          } else if (e.point.t % PLAIN_EVERY_S === 0) stream.write(`${line(e)}\n`);
          break;
        case 'warning':
          clear();
          stream.write(`wsprobe load: warning: ${e.message}\n`);
          break;
        case 'stopping':
          clear();
          stream.write('wsprobe load: stopping, closing connections\n');
          break;
        default:
          break;
      }
    },
    end: clear,
  };
}
