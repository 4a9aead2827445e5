/** Dates for deadlines (an invite's or a file's expiry): a day and a clock time. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function dateTime(at: number, locale: string): string {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    formatters.set(locale, formatter);
  }
  return formatter.format(new Date(at));
}
