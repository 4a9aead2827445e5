/**
 * Do-not-disturb schedules (PRODUCT.md H2), judged in the user's own time zone: the same
 * rules as the server's (src/tidings/domain/user_settings.py), which applies them to Web Push.
 */
import type { DndSchedule, DndSettings, ServerSettings, UserId } from '@tidings/sdk';

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The ISO weekday (1 = Monday) and minute of the day at `nowMs` in `timeZone`. */
export function localMoment(nowMs: number, timeZone: string): { weekday: number; minute: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(nowMs);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(nowMs);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: WEEKDAYS[get('weekday')] ?? 1, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function minutes(clock: string): number {
  const [h, m] = clock.split(':');
  return Number(h) * 60 + Number(m);
}

function covers(schedule: DndSchedule, weekday: number, minute: number): boolean {
  if (schedule.enabled === false) return false;
  const start = minutes(schedule.start);
  const end = minutes(schedule.end);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  if (start < end) return schedule.days.includes(weekday) && minute >= start && minute < end;
  // Past midnight (or all day when start == end).
  return (schedule.days.includes(weekday) && minute >= start) || (schedule.days.includes(yesterday) && minute < end);
}

/** Whether one of the enabled schedules covers this moment. */
export function dndActive(dnd: DndSettings | undefined, nowMs: number): boolean {
  const schedules = dnd?.schedules ?? [];
  if (schedules.length === 0) return false;
  const { weekday, minute } = localMoment(nowMs, dnd?.time_zone ?? 'UTC');
  return schedules.some((s) => covers(s, weekday, minute));
}

/** Whether do-not-disturb keeps a message quiet: its exceptions are @-mentions of me and starred contacts. */
export function dndSilences(settings: ServerSettings, nowMs: number, senderId: UserId | null, mentionsMe: boolean): boolean {
  const dnd = settings.dnd;
  if (!dndActive(dnd, nowMs)) return false;
  if ((dnd?.exceptions?.mentions ?? true) && mentionsMe) return false;
  return !((dnd?.exceptions?.starred ?? true) && senderId !== null && (settings.starred ?? []).includes(senderId));
}

/** The browser's own time zone (what a new schedule is set in). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
