import { describe, expect, it } from 'vitest'
import { parseDate, type DateRange } from './dates'

const NOW = Date.UTC(2024, 2, 31, 15, 30, 0) // 2024-03-31T15:30Z, a leap year's last day of March

function range(text: string, now = NOW): DateRange {
  const result = parseDate(text, now)
  if (!result.ok) expect.fail(`"${text}" should parse, got ${JSON.stringify(result.error)}`)
  return result.value
}

function error(text: string): { message: string; position: number; hint?: string } {
  const result = parseDate(text, NOW)
  if (result.ok) expect.fail(`"${text}" should fail`)
  return result.error
}

describe('absolute dates cover the period they name (UTC, end exclusive)', () => {
  it('year, month, day', () => {
    expect(range('2020')).toEqual({ start: Date.UTC(2020, 0, 1), end: Date.UTC(2021, 0, 1) })
    expect(range('2020-05')).toEqual({ start: Date.UTC(2020, 4, 1), end: Date.UTC(2020, 5, 1) })
    expect(range('2020-12')).toEqual({ start: Date.UTC(2020, 11, 1), end: Date.UTC(2021, 0, 1) })
    expect(range('2020-05-31')).toEqual({ start: Date.UTC(2020, 4, 31), end: Date.UTC(2020, 5, 1) })
    expect(range('2020-12-31')).toEqual({ start: Date.UTC(2020, 11, 31), end: Date.UTC(2021, 0, 1) })
  })

  it('minute and second, with or without Z', () => {
    expect(range('2020-05-01T12:30')).toEqual({ start: Date.UTC(2020, 4, 1, 12, 30), end: Date.UTC(2020, 4, 1, 12, 31) })
    expect(range('2020-05-01T12:30Z')).toEqual(range('2020-05-01T12:30'))
    expect(range('2020-05-01T23:59:59')).toEqual({ start: Date.UTC(2020, 4, 1, 23, 59, 59), end: Date.UTC(2020, 4, 2) })
    expect(range('2020-05-01T00:00:00Z')).toEqual({ start: Date.UTC(2020, 4, 1), end: Date.UTC(2020, 4, 1, 0, 0, 1) })
    expect(range('2020Z')).toEqual(range('2020'))
  })

  it("the forms Python's datetime.fromisoformat takes, which PxIMSE's date; read (issue 19)", () => {
    expect(range('2000-01-01 12:00')).toEqual({ start: Date.UTC(2000, 0, 1, 12), end: Date.UTC(2000, 0, 1, 12, 1) })
    expect(range('20000101')).toEqual(range('2000-01-01'))
    expect(range('2000-01-01T12')).toEqual({ start: Date.UTC(2000, 0, 1, 12), end: Date.UTC(2000, 0, 1, 13) })
    expect(range('20000101T123045')).toEqual(range('2000-01-01T12:30:45'))
    expect(range('2000-01-01T09:00+09:00')).toEqual(range('2000-01-01T00:00'))
    expect(range('2000-01-01T00-0130')).toEqual({ start: Date.UTC(2000, 0, 1, 1, 30), end: Date.UTC(2000, 0, 1, 2, 30) })
    expect(error('20230230')).toMatchObject({ position: 6, hint: 'February 2023 has 28 days' })
    expect(error('2023-01-01 24:00')).toMatchObject({ position: 11 })
    expect(error('2023-01-01T10:00+24:00')).toMatchObject({ position: 16 })
  })

  it('leap days', () => {
    expect(range('2024-02-29')).toEqual({ start: Date.UTC(2024, 1, 29), end: Date.UTC(2024, 2, 1) })
    expect(range('2000-02-29').start).toBe(Date.UTC(2000, 1, 29))
    expect(error('2023-02-29')).toEqual({ message: '"2023-02-29" is not a date', position: 8, hint: 'February 2023 has 28 days' })
    expect(error('1900-02-29').hint).toBe('February 1900 has 28 days')
  })

  it('years below 100 are not read as 19xx', () => {
    const first = new Date(range('0099').start)
    expect(first.getUTCFullYear()).toBe(99)
    expect(range('9999').end).toBe(Date.UTC(10000, 0, 1))
  })
})

describe('invalid calendar values point at the part that is wrong', () => {
  it.each([
    ['2023-02-30', 8, 'February 2023 has 28 days'],
    ['2023-04-31', 8, 'April 2023 has 30 days'],
    ['2023-01-00', 8, 'January 2023 has 31 days'],
    ['2023-13', 5, 'months run from 01 to 12'],
    ['2023-00-10', 5, 'months run from 01 to 12'],
    ['2023-01-01T24:00', 11, 'hours run from 00 to 23'],
    ['2023-01-01T10:60', 14, 'minutes run from 00 to 59'],
    ['2023-01-01T10:00:60', 17, 'seconds run from 00 to 59'],
  ])('%s', (text, position, hint) => {
    expect(error(text)).toMatchObject({ position, hint })
  })

  it.each(['2020-1-1', '20', 'yesterday', '2020/01/01', '202001', '2020-0101', '2020-01-01  10:00', '+3d', '-3', '-3D', '-d', 'NOW', '2020-01-01T10:00+9', ''])(
    'rejects %j with the accepted forms as hint',
    (text) => {
      const e = error(text)
      expect(e.position).toBe(0)
      expect(e.hint).toContain('-30d')
    },
  )
})

describe('relative dates are the instant that long before now', () => {
  it('minutes, hours, days, weeks', () => {
    expect(range('-90m')).toEqual({ start: NOW - 90 * 60_000, end: NOW - 90 * 60_000 })
    expect(range('-12h')).toEqual({ start: NOW - 12 * 3_600_000, end: NOW - 12 * 3_600_000 })
    expect(range('-30d').start).toBe(NOW - 30 * 86_400_000)
    expect(range('-2w').start).toBe(NOW - 14 * 86_400_000)
    expect(range('-0d')).toEqual({ start: NOW, end: NOW })
    expect(range('now')).toEqual({ start: NOW, end: NOW })
  })

  it('months and years step the calendar, clamping the day', () => {
    expect(range('-1mo').start).toBe(Date.UTC(2024, 1, 29, 15, 30)) // 31 March → 29 February (leap year)
    expect(range('-6mo').start).toBe(Date.UTC(2023, 8, 30, 15, 30)) // → 30 September
    expect(range('-13mo').start).toBe(Date.UTC(2023, 1, 28, 15, 30))
    expect(range('-1y').start).toBe(Date.UTC(2023, 2, 31, 15, 30))
    expect(range('-1y', Date.UTC(2024, 1, 29)).start).toBe(Date.UTC(2023, 1, 28))
    expect(range('-3mo', Date.UTC(2024, 0, 15)).start).toBe(Date.UTC(2023, 9, 15))
  })

  it('too far back is an error, not NaN', () => {
    for (const text of ['-99999999999999999999d', '-999999999y', '-99999999999999mo', '-9999999999w']) {
      expect(error(text)).toMatchObject({ message: `"${text}" is too far back`, position: 1 })
    }
  })
})
