/**
 * Date values of the query language, resolved to a UTC millisecond range [start, end).
 * Absolute dates cover the period they name (`2020` the year, `2020-05-01T12:30` the minute);
 * relative dates (`-30d`, `now`) are the instant that long before `now`.
 */
import type { ParseResult } from './ast'

/**
 * A resolved date: [start, end) in epoch milliseconds (start === end for an instant).
 *
 * @example
 * const may2020: DateRange = { start: Date.UTC(2020, 4, 1), end: Date.UTC(2020, 5, 1) }
 */
export interface DateRange {
  start: number
  end: number
}

/** The earliest and latest instants a JavaScript Date can hold. */
const MAX_TIME = 8.64e15

/**
 * The ISO 8601 forms, as Python's `datetime.fromisoformat` (which PxIMSE's `date;` used) takes them
 * too: `-` between the date's parts or none (`20200501`), `T`, `t` or a space before the time, the
 * time's `:` optional, an hour alone (`2020-05-01T12`), a UTC offset after a time (`+09:00`), `Z` at the end.
 */
const ABSOLUTE = /^(?<y>\d{4})(?:(?<sep>-?)(?<mo>\d{2})(?:\k<sep>(?<d>\d{2})(?:[Tt ](?<h>\d{2})(?::?(?<mi>\d{2})(?::?(?<s>\d{2}))?)?(?<tz>[+-]\d{2}:?\d{2})?)?)?)?[Zz]?$/d
const RELATIVE = /^-(\d+)(mo|m|h|d|w|y)$/

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

const FORMS_HINT = 'write 2020, 2020-05, 2020-05-01 (or 20200501), 2020-05-01T12:30 (or 2020-05-01 12:30), 2020-05-01T12:30:45 (UTC, or add +09:00), or relative: -90m, -12h, -30d, -2w, -6mo, -1y, now'

/**
 * Parses a date value. Positions in an error are offsets into `text`, pointing at the part that is
 * wrong (the day of `2023-02-30`).
 * Relative months and years step the calendar (31 March − 1mo is the last day of February).
 *
 * @example
 * parseDate('2020', 0) // { ok: true, value: { start: Date.UTC(2020, 0), end: Date.UTC(2021, 0) } }
 * parseDate('-1d', Date.UTC(2024, 0, 2)) // { ok: true, value: { start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 1) } }
 * parseDate('2023-02-30', 0) // { ok: false, error: { message: '"2023-02-30" is not a date', position: 8, hint: 'February 2023 has 28 days' } }
 */
export function parseDate(text: string, now: number): ParseResult<DateRange> {
  if (text === 'now') return { ok: true, value: { start: now, end: now } }
  const relative = RELATIVE.exec(text)
  if (relative) return parseRelative(text, Number(relative[1]), relative[2] ?? 'd', now)
  const absolute = ABSOLUTE.exec(text)
  const groups = absolute?.groups
  // `202005` (year and month without a separator) is not ISO 8601: it would read as a time.
  if (!absolute || !groups || (groups.sep === '' && groups.d === undefined)) return fail(`"${text}" is not a date`, 0, FORMS_HINT)
  const { y, mo, d, h, mi, s, tz } = groups
  const at = (name: string) => absolute.indices?.groups?.[name]?.[0] ?? 0
  const year = Number(y)
  const month = mo === undefined ? undefined : Number(mo)
  const day = d === undefined ? undefined : Number(d)
  const hour = h === undefined ? undefined : Number(h)
  const minute = mi === undefined ? undefined : Number(mi)
  const second = s === undefined ? undefined : Number(s)
  if (month !== undefined && (month < 1 || month > 12)) return fail(`"${text}" is not a date`, at('mo'), 'months run from 01 to 12')
  if (month !== undefined && day !== undefined) {
    const days = daysInMonth(year, month - 1)
    if (day < 1 || day > days) return fail(`"${text}" is not a date`, at('d'), `${MONTH_NAMES[month - 1] ?? 'that month'} ${year} has ${days} days`)
  }
  if (hour !== undefined && hour > 23) return fail(`"${text}" is not a time`, at('h'), 'hours run from 00 to 23')
  if (minute !== undefined && minute > 59) return fail(`"${text}" is not a time`, at('mi'), 'minutes run from 00 to 59')
  if (second !== undefined && second > 59) return fail(`"${text}" is not a time`, at('s'), 'seconds run from 00 to 59')
  const offset = utcOffset(tz)
  if (offset === undefined) return fail(`"${text}" has no such UTC offset`, at('tz'), 'offsets run from -23:59 to +23:59, e.g. +09:00')

  const start = utc(year, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0) - offset
  let end: number
  if (second !== undefined) end = start + 1000
  else if (minute !== undefined) end = start + 60_000
  else if (hour !== undefined) end = start + 3_600_000
  else if (day !== undefined) end = utc(year, (month ?? 1) - 1, day + 1, 0, 0, 0) - offset
  else if (month !== undefined) end = utc(year, month, 1, 0, 0, 0) - offset
  else end = utc(year + 1, 0, 1, 0, 0, 0) - offset
  return { ok: true, value: { start, end } }
}

/** Nothing is UTC; `+09:00` / `-0530` an offset in ms; undefined past ±23:59. */
function utcOffset(tz: string | undefined): number | undefined {
  if (tz === undefined) return 0
  const digits = tz.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2, 4))
  if (hours > 23 || minutes > 59) return undefined
  return (tz.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000
}

/** The number of days in a month (0-based month) of a proleptic Gregorian year. */
function daysInMonth(year: number, month0: number): number {
  return new Date(utc(year, month0 + 1, 1, 0, 0, 0) - 86_400_000).getUTCDate()
}

/** Date.UTC without its two-digit-year rule (year 99 stays 99, not 1999); month and day may overflow. */
function utc(year: number, month0: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month0, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime()
}

function parseRelative(text: string, amount: number, unit: string, now: number): ParseResult<DateRange> {
  let instant: number
  if (unit === 'mo' || unit === 'y') {
    instant = minusMonths(now, unit === 'y' ? amount * 12 : amount)
  } else {
    instant = now - amount * (UNIT_MS[unit] ?? 0)
  }
  if (!Number.isFinite(instant) || Math.abs(instant) > MAX_TIME) {
    return fail(`"${text}" is too far back`, 1, 'relative dates reach back at most about 270,000 years')
  }
  return { ok: true, value: { start: instant, end: instant } }
}

/** `now` minus whole calendar months, keeping the time of day and clamping the day to the month. */
function minusMonths(now: number, months: number): number {
  const date = new Date(now)
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() - months
  const year = Math.floor(total / 12)
  const month0 = total - year * 12
  if (!Number.isSafeInteger(total) || Math.abs(year) > 300_000) return Number.NaN
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month0))
  const result = new Date(now)
  result.setUTCFullYear(year, month0, day)
  return result.getTime()
}

function fail(message: string, position: number, hint: string): ParseResult<DateRange> {
  return { ok: false, error: { message, position, hint } }
}
