// Number, duration and byte formatting shared by the writers. Fixed locale (en-US) so output is reproducible.

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** Milliseconds with a precision that suits the magnitude: 0.042 ms, 1.23 ms, 12.3 ms, 123 ms. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const abs = Math.abs(ms);
  const digits = abs === 0 ? 0 : abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

/** A run duration: 850 ms, 12.3 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const totalS = Math.round(s);
  const m = Math.floor(totalS / 60);
  if (m < 60) return `${m} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Bytes with binary units: 512 B, 1.5 KiB, 20.0 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A plain number with up to `digits` decimals and thousands separators: 1,234.5. */
export function formatNumber(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(n);
}

/** A case's RFC section as people cite it: '5.5' -> 'RFC 6455 §5.5', '7692 7.2.1' -> 'RFC 7692 §7.2.1'. */
export function formatRfcSection(section: string): string {
  const s = section.replace(/^§/, '');
  const m = /^(\d{4,})\s+§?(.+)$/.exec(s);
  return m ? `RFC ${m[1]} §${m[2]}` : `RFC 6455 §${s}`;
}
