/** Aligned text tables and human figures for the CLI's output. */

/** Renders rows as columns separated by two spaces; numbers and right-aligned columns pad left. */
export function table(header: string[], rows: string[][], rightAligned: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells
    .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Seconds as "2d 3h", "4h 05m", "5m 10s" or "42s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * USD with thousands separators: 26543.2 -> "$26,543". Grouped by hand: the first
 * `toLocaleString('en-US')` of a process loads ICU's locale data, about 30 ms of a `plan` command.
 */
export function usd(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  return n >= 100 ? `$${String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',')}` : `$${n.toFixed(2)}`;
}
