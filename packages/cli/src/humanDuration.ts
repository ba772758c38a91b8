/** "in 59 min", "3 h 5 min ago", "in 12 s": a duration relative to now, for people. */
export function humanDuration(ms: number): string {
  const past = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m && !d) parts.push(`${m} min`);
  if (!d && !h && (s || parts.length === 0)) parts.push(`${s} s`);
  const text = parts.join(" ");
  return past ? `${text} ago` : `in ${text}`;
}
