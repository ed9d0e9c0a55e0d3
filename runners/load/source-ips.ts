// --source-ips: a list or range of local IPv4 addresses (127.0.0.1-127.0.0.16, 10.0.0.5,10.0.0.6) to spread
// connections over, since each source address has its own ~28k ephemeral ports towards one target.
import { isIP } from 'node:net';

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseSourceIps(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const range = part.split('-');
    if (range.length === 2) {
      const [a, b] = range.map((r) => r.trim()) as [string, string];
      if (isIP(a) !== 4 || isIP(b) !== 4) throw new SyntaxError(`--source-ips: ${JSON.stringify(part)} is not an IPv4 range A-B`);
      const from = toInt(a);
      const to = toInt(b);
      if (to < from || to - from > 65535) throw new SyntaxError(`--source-ips: range ${part} is empty or too large`);
      for (let n = from; n <= to; n++) out.push(toIp(n));
    } else if (isIP(part) !== 0) out.push(part);
    else throw new SyntaxError(`--source-ips: ${JSON.stringify(part)} is not an IP address or range`);
  }
  return out;
}
