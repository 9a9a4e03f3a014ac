const BLOCKS = '▁▂▃▄▅▆▇█';

/** Sums neighbouring values so at most `width` remain (a long range still fits one terminal line). */
export function fold(values: number[], width: number): { values: number[]; per: number } {
  const per = Math.max(1, Math.ceil(values.length / width));
  const folded: number[] = [];
  for (let i = 0; i < values.length; i += per) folded.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  return { values: folded, per };
}

/** One block per value, scaled to the largest; the lowest block only for zero, so any use shows. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v === 0 || max === 0 ? BLOCKS[0] : BLOCKS[1 + Math.round((v / max) * (BLOCKS.length - 2))])).join('');
}
