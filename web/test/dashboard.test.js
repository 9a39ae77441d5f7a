import { describe, it, expect } from 'vitest'
import { listRoute, hourBars, currentHour, trendRows, changeText, yearToDate, figureValue, SUMMARY_FIGURES } from '../src/dashboard.js'
import { filtersFromQuery, findingQuery } from '../src/fourcuts.js'

describe('listRoute', () => {
  it('opens the incidents page on the exact bounds, category and status', () => {
    expect(listRoute('/incidents?category=criminal&from=2026-12-03T09%3A00%3A00%2B08%3A00&to=2026-12-03T10%3A00%3A00%2B08%3A00')).toEqual({
      path: '/patrol/incidents', query: { category: 'criminal', from: '2026-12-03T09:00:00+08:00', to: '2026-12-03T10:00:00+08:00', status: 'all' },
    })
    expect(listRoute('/incidents?open=true')).toEqual({ path: '/patrol/incidents', query: { status: 'open' } })
  })
  it('maps every list the dashboard names to its page', () => {
    expect(listRoute('/findings?engine=any&cut_from=a&cut_to=b')).toEqual({ path: '/fourcuts/findings', query: { engine: 'any', cut_from: 'a', cut_to: 'b' } })
    expect(listRoute('/cases?status=open')).toEqual({ path: '/cases', query: { status: 'open' } })
    expect(listRoute('/campus/notices?status=overdue')).toEqual({ path: '/campus/notices', query: { status: 'overdue' } })
    expect(listRoute('/fire/reports?status=overdue')).toEqual({ path: '/fire/reports', query: { status: 'overdue' } })
  })
  it('refuses a list no page shows', () => {
    expect(listRoute('/users?x=1')).toBe(null)
    expect(listRoute(undefined)).toBe(null)
  })
})

describe('the findings page reads a drill-down back', () => {
  it('keeps the exact bounds and passes them to the list', () => {
    const { filters } = filtersFromQuery({ engine: 'any', confirmed_from: '2026-12-03T00:00:00+08:00', confirmed_to: '2026-12-04T00:00:00+08:00', cut_from: 'junk' })
    expect(filters.engine).toBe('any')
    expect(filters.confirmed_from).toBe('2026-12-03T00:00:00+08:00')
    expect(filters.cut_from).toBe('')
    expect(findingQuery(filters, null, false)).toEqual({ engine: 'any', confirmed_from: '2026-12-03T00:00:00+08:00', confirmed_to: '2026-12-04T00:00:00+08:00' })
  })
})

describe('figures', () => {
  it('puts the hours in their places', () => {
    const bars = hourBars([{ hour: 0, value: 2 }, { hour: 23, value: 1 }, { hour: 9, value: 5 }])
    expect(bars.length).toBe(24)
    expect(bars[0]).toBe(2)
    expect(bars[9]).toBe(5)
    expect(bars[23]).toBe(1)
    expect(bars[1]).toBe(0)
  })
  it('takes the China hour and day', () => {
    // 2026-12-03 16:30 UTC is 2026-12-04 00:30 in China.
    const ms = Date.UTC(2026, 11, 3, 16, 30)
    expect(currentHour(ms)).toBe(0)
    expect(yearToDate(ms)).toEqual({ from: '2026-01-01', to: '2026-12-04' })
    expect(yearToDate(Date.UTC(2026, 11, 31, 16, 0))).toEqual({ from: '2027-01-01', to: '2027-01-01' })
    expect(yearToDate(ms, 2021)).toEqual({ from: '2021-01-01', to: '2021-12-31' })
    expect(yearToDate(ms, '2026')).toEqual({ from: '2026-01-01', to: '2026-12-04' })
    expect(yearToDate(ms, 'x')).toEqual({ from: '2026-01-01', to: '2026-12-04' })
  })
  it('writes the change', () => {
    expect(changeText(-18)).toBe('−18.0%')
    expect(changeText(12.46)).toBe('+12.5%')
    expect(changeText(0)).toBe('0.0%')
    expect(changeText(null)).toBe('—')
  })
  it('picks the trend figures present, in order', () => {
    const rows = trendRows({ patrol: { criminal_cases: { value: 82, last_year: 100, change_pct: -18, unit: 'incident' } }, cyber: { cases_handled: { value: 598, last_year: 0, change_pct: null, unit: 'case' } } })
    expect(rows.map((r) => r.key)).toEqual(['cyber.cases_handled', 'patrol.criminal_cases'])
    expect(rows[1].change_pct).toBe(-18)
    const all = trendRows({ fourcuts: { funds_seized_fen: { value: 198000000, unit: 'fen' } }, cyber: { people_coercive: { value: 836, unit: 'person' } } }, false)
    expect(all.map((r) => r.key)).toEqual(['cyber.people_coercive', 'fourcuts.funds_seized_fen'])
    expect(trendRows({ cyber: { people_coercive: { value: 836 } } }, true)).toEqual([])
  })
  it('lists the 22 figures of the registry (cyber 2, Four Cuts 6, fire 3, campus 4, patrol 5, 铸盾 2)', () => {
    expect(SUMMARY_FIGURES.reduce((n, [, names]) => n + names.length, 0)).toBe(22)
  })
  it('writes money in yuan and percentages to one decimal', () => {
    expect(figureValue('fen', 198000000)).toBe('1980000.00')
    expect(figureValue('pct', 85.25)).toBe('85.3%')
    expect(figureValue('case', 598)).toBe('598')
  })
})

describe('periodFromQuery', () => {
  it('takes a valid period and refuses the rest', async () => {
    const { periodFromQuery } = await import('../src/dashboard.js')
    expect(periodFromQuery({ from: '2021-01-01', to: '2021-12-31' })).toEqual(['2021-01-01', '2021-12-31'])
    expect(periodFromQuery({ from: '2021-12-31', to: '2021-01-01' })).toBe(null)
    expect(periodFromQuery({ from: '2021-13-01', to: '2021-12-31' })).toBe(null)
    expect(periodFromQuery({ from: '2021-01-01' })).toBe(null)
    expect(periodFromQuery({ from: ['2021-01-01'], to: '2021-12-31' })).toBe(null)
  })
})
