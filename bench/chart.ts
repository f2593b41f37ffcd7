// A small hand-written SVG line chart: gap (%) against elapsed seconds, one step line per series.

export type Series = {
  label: string;
  color: string;
  /** SVG stroke-dasharray, or undefined for a solid line. */
  dash?: string;
  /** x: elapsed seconds, y: gap in percent; sorted by x. */
  points: { x: number; y: number }[];
};

export type ChartOptions = {
  title: string;
  subtitle?: string;
  /** Right end of the x axis (seconds). */
  xMax: number;
  /** A dashed vertical line at the time limit (seconds). */
  limit?: number;
  /** A dashed horizontal reference line (percent), e.g. the gap target. */
  target?: { y: number; label: string };
  /** Values above this are drawn at the top of the plot (and the chart says so). */
  yCap?: number;
};

const W = 760;
const H = 440;
const M = { left: 64, right: 180, top: 56, bottom: 52 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const r2 = (n: number) => Math.round(n * 100) / 100;

/** A "nice" step (1, 2 or 5 × 10^k) giving about `count` ticks over [0, max]. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

const tickLabel = (v: number, step: number) => v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));

export function gapChart(series: Series[], options: ChartOptions): string {
  const cap = options.yCap ?? Infinity;
  const dataMax = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const yTop = Math.max(Math.min(dataMax, cap), (options.target?.y ?? 0) * 1.5, 0.1);
  const yStep = niceStep(yTop, 6);
  const yMax = Math.ceil(yTop / yStep - 1e-9) * yStep;
  const clipped = dataMax > yMax + 1e-9;
  const xTop = Math.max(options.xMax, 1e-3);
  const xStep = niceStep(xTop, 8);
  const xMax = Math.ceil(xTop / xStep - 1e-9) * xStep;
  const sx = (x: number) => r2(M.left + (Math.min(Math.max(x, 0), xMax) / xMax) * PW);
  const sy = (y: number) => r2(M.top + PH - (Math.min(Math.max(y, 0), yMax) / yMax) * PH);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="16" font-weight="bold">${esc(options.title)}</text>`);
  if (options.subtitle) out.push(`<text x="${M.left}" y="42" fill="#555">${esc(options.subtitle)}</text>`);

  // Grid and ticks.
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const y = sy(v);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + PW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${y + 4}" text-anchor="end">${tickLabel(v, yStep)}</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    const x = sx(v);
    out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + PH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${M.top + PH + 18}" text-anchor="middle">${tickLabel(v, xStep)}</text>`);
  }
  // Axes and their labels.
  out.push(`<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}" stroke="#333"/>`);
  out.push(`<text x="${M.left + PW / 2}" y="${H - 12}" text-anchor="middle">elapsed (s)</text>`);
  out.push(`<text transform="translate(18 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">gap (%)</text>`);

  if (options.target && options.target.y <= yMax) {
    const y = sy(options.target.y);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + PW}" y2="${y}" stroke="#2a2" stroke-dasharray="4 4"/>`);
    out.push(`<text x="${M.left + PW - 4}" y="${y - 5}" text-anchor="end" fill="#2a2">${esc(options.target.label)}</text>`);
  }

  if (options.limit !== undefined && options.limit <= xMax) {
    const x = sx(options.limit);
    out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + PH}" stroke="#888" stroke-dasharray="4 4"/>`);
    out.push(`<text x="${x - 4}" y="${M.top + 12}" text-anchor="end" fill="#888">time limit</text>`);
  }

  // One step line per series: the gap holds until the next progress event.
  for (const s of series) {
    if (s.points.length === 0) continue;
    const coords: string[] = [];
    s.points.forEach((p, i) => {
      if (i > 0) coords.push(`${sx(p.x)},${sy(s.points[i - 1]!.y)}`);
      coords.push(`${sx(p.x)},${sy(p.y)}`);
    });
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${coords.join(' ')}"/>`);
    const last = s.points[s.points.length - 1]!;
    out.push(`<circle cx="${sx(last.x)}" cy="${sy(last.y)}" r="3" fill="${s.color}"/>`);
  }

  // Legend, right of the plot.
  const lx = M.left + PW + 16;
  series.forEach((s, i) => {
    const y = M.top + 10 + i * 20;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<line x1="${lx}" y1="${y}" x2="${lx + 28}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 36}" y="${y + 4}">${esc(s.label)}</text>`);
  });
  if (clipped)
    out.push(`<text x="${lx}" y="${M.top + 10 + series.length * 20 + 8}" fill="#555">gaps above ${tickLabel(yMax, yStep)}% drawn at the top</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
