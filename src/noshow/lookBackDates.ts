// The clinic-local dates a model's history is read from: the `days` dates before `date`, oldest first,
// then `date` itself (its appointments already finished count too).
export function lookBackDates(date: string, days: number): string[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Array.from({ length: days + 1 }, (_, i) => new Date(Date.UTC(y, m - 1, d - days + i)).toISOString().slice(0, 10));
}
