const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "3 hours ago", "in 2 days", "just now"; "Never" for no time at all. */
export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'Never';
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** A timestamp as a person reads it, in their locale and time zone. */
export function formatDate(iso: string | null): string {
  return iso ? absolute.format(new Date(iso)) : '—';
}

/** Who a key belongs to, in words. */
export function ownerLabel(key: { organizationId: string | null; userId: string | null }): string {
  if (key.organizationId && key.userId) return `${key.organizationId} / ${key.userId}`;
  return key.organizationId ?? key.userId ?? '—';
}
