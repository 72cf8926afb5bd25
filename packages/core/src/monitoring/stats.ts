/** Mean and population standard deviation of `values` (0 and 0 for none). */
export function meanAndStdDev(values: readonly number[]): { mean: number; stdDev: number } {
  if (values.length === 0) return { mean: 0, stdDev: 0 };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, stdDev: Math.sqrt(variance) };
}

/** Rounds to 2 decimals for evidence (numbers people read, not compute with). */
export const round2 = (value: number): number => Math.round(value * 100) / 100;
