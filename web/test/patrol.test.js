// The patrol pages' logic that needs no DOM: geometry, the dispatch
// dialog's rules, staleness on the local clock, labels and number formats.
import { describe, it, expect } from 'vitest'
import {
  inGeometry, findFeature, boundsOf, validLonLat, noUnitReason, overriding, withClock, ageNow, isStale,
  upsertById, incidentMatches, formatPct, formatDistance, elapsed, todayBeijing, yearStart, categoryLabel, sourceLabel,
} from '../src/patrol.js'
import { setLocale } from '../src/i18n/index.js'

const square = (w, s, e, n) => ({ type: 'MultiPolygon', coordinates: [[[[w, s], [e, s], [e, n], [w, n], [w, s]]]] })

describe('geometry', () => {
  const withHole = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] }
  it('finds points inside polygons, not in their holes', () => {
    expect(inGeometry(1, 1, withHole)).toBe(true)
    expect(inGeometry(5, 5, withHole)).toBe(false)
    expect(inGeometry(11, 5, withHole)).toBe(false)
    expect(inGeometry(117.01, 36.65, square(117, 36.64, 117.02, 36.66))).toBe(true)
  })
  it('picks the grid a point falls in', () => {
    const fs = [
      { properties: { code: 'A' }, geometry: square(117, 36.64, 117.02, 36.66) },
      { properties: { code: 'B' }, geometry: square(117.02, 36.64, 117.04, 36.66) },
    ]
    expect(findFeature(fs, 117.03, 36.65).properties.code).toBe('B')
    expect(findFeature(fs, 117.05, 36.65)).toBeNull()
    expect(findFeature(fs, NaN, 36.65)).toBeNull()
    expect(boundsOf(fs)).toEqual([[36.64, 117], [36.66, 117.04]])
    expect(boundsOf([])).toBeNull()
  })
  it('accepts only plausible WGS-84 points in China', () => {
    expect(validLonLat(117.02, 36.66)).toBe(true)
    expect(validLonLat(36.66, 117.02)).toBe(false) // swapped
    expect(validLonLat(NaN, 36)).toBe(false)
  })
})

describe('dispatch', () => {
  const rec = { grid: 'G1', unit: { unit_id: 7 }, alternatives: [{ unit_id: 7 }, { unit_id: 8 }], busy_units: 0, stale_units: 0 }
  it('needs a reason only when the chosen unit is not the recommendation', () => {
    expect(overriding(rec, 7)).toBe(false)
    expect(overriding(rec, 8)).toBe(true)
    expect(overriding({ grid: 'G1', unit: null }, 8)).toBe(true)
    expect(overriding(rec, null)).toBe(false)
  })
  it('explains a missing recommendation from its counts', () => {
    expect(noUnitReason(rec)).toBeNull()
    expect(noUnitReason({ unit: null }).key).toBe('dispatch.reason.outside')
    expect(noUnitReason({ unit: null, grid: 'G', busy_units: 0, stale_units: 0 }).key).toBe('dispatch.reason.none')
    expect(noUnitReason({ unit: null, grid: 'G', busy_units: 0, stale_units: 2 }).key).toBe('dispatch.reason.stale')
    expect(noUnitReason({ unit: null, grid: 'G', busy_units: 3, stale_units: 0 }).key).toBe('dispatch.reason.busy')
    expect(noUnitReason({ unit: null, grid: 'G', busy_units: 1, stale_units: 1 })).toEqual({ key: 'dispatch.reason.mixed', params: { grid: 'G', busy: 1, stale: 1 } })
  })
})

describe('units go stale on the local clock', () => {
  it('ages a listed unit from the age the server gave', () => {
    const u = withClock({ id: 1, position_age_seconds: 170 }, 1_000_000)
    expect(ageNow(u, 1_000_000)).toBe(170)
    expect(isStale(u, 1_000_000, 180)).toBe(false)
    expect(isStale(u, 1_000_000 + 11_000, 180)).toBe(true)
  })
  it('ages a unit from an event by the event time, whatever the browser clock says', () => {
    const u = withClock({ id: 1, position_at: '2026-05-01T00:00:00Z' }, 5, '2026-05-01T00:00:30Z')
    expect(ageNow(u, 5)).toBe(30)
    expect(isStale(withClock({ id: 2 }, 5), 5, 180)).toBe(true) // no position
  })
  it('updates list items in place', () => {
    const list = [{ id: 1, status: 'patrolling' }, { id: 2, status: 'patrolling' }]
    expect(upsertById(list, { id: 2, status: 'dispatched' })).toEqual([{ id: 1, status: 'patrolling' }, { id: 2, status: 'dispatched' }])
    expect(upsertById(list, { id: 3 }).map((x) => x.id)).toEqual([3, 1, 2])
    expect(upsertById(list, { id: 3 }, false).map((x) => x.id)).toEqual([1, 2, 3])
  })
  it('applies the board filters to incidents from events', () => {
    expect(incidentMatches({ status: 'closed' }, { status: 'open' })).toBe(false)
    expect(incidentMatches({ status: 'received', category: 'fire' }, { status: 'open', category: 'fire' })).toBe(true)
    expect(incidentMatches({ status: 'closed' }, { status: 'all' })).toBe(true)
    expect(incidentMatches({ status: 'received', station: 'A' }, { status: 'all', station: 'B' })).toBe(false)
  })
})

describe('formats', () => {
  it('shows changes in percent with their sign, and none when last year was 0', () => {
    expect(formatPct(-50)).toBe('-50.0%')
    expect(formatPct(12.345)).toBe('+12.3%')
    expect(formatPct(0)).toBe('0.0%')
    expect(formatPct(null)).toBe('—')
    expect(formatPct(87.5, false)).toBe('87.5%')
  })
  it('shows distances and durations', () => {
    setLocale('zh-CN')
    expect(formatDistance(97.25)).toBe('97 米')
    expect(formatDistance(1234)).toBe('1.2 公里')
    setLocale('en')
    expect(formatDistance(97.25)).toBe('97 m')
    expect(categoryLabel('dispute', '纠纷')).toBe('Dispute')
    expect(categoryLabel('new_code', 'server name')).toBe('server name')
    expect(sourceLabel('110')).toBe('110 call')
    setLocale('zh-CN')
    expect(elapsed('2026-05-01T00:00:00Z', '2026-05-01T00:04:05Z')).toBe('4 分 5 秒')
    expect(elapsed('2026-05-01T00:00:00Z', '2026-05-01T01:04:05Z')).toBe('1 小时 4 分')
    expect(elapsed('2026-05-01T00:00:00Z', '2026-05-01T00:00:42Z')).toBe('42 秒')
    expect(elapsed('2026-05-01T00:00:00Z', null)).toBe('')
  })
  it('reckons days in Beijing', () => {
    // 2026-12-31 17:00 UTC is already 1 January in Beijing.
    expect(todayBeijing(Date.parse('2026-12-31T17:00:00Z'))).toBe('2027-01-01')
    expect(yearStart('2027-03-05')).toBe('2027-01-01')
  })
})

import { alertFor } from '../src/alerts.js'

describe('new-incident alerts', () => {
  const ev = { type: 'incident.created', data: { id: 7 } }
  it('raise a pop-up and a sound for those who take incidents', () => {
    expect(alertFor(ev, { popup: true, sound: true }, true)).toEqual({ popup: true, sound: true })
    expect(alertFor(ev, { popup: false, sound: true }, true)).toEqual({ popup: false, sound: true })
  })
  it('stay quiet when switched off, for others, and for other events', () => {
    expect(alertFor(ev, { popup: false, sound: false }, true)).toBe(null)
    expect(alertFor(ev, { popup: true, sound: true }, false)).toBe(null)
    expect(alertFor({ type: 'incident.dispatched', data: {} }, { popup: true, sound: true }, true)).toBe(null)
  })
})

describe('unit emergency alarms', () => {
  const sos = { type: 'unit.alarm', data: { unit_id: 3, callsign: 'ST1-C1', emergency: true, raised: ['emergency'] } }
  it('pop up with sound for whoever receives them, even with the switches off and without incident:write', () => {
    expect(alertFor(sos, { popup: false, sound: false }, false)).toEqual({ popup: true, sound: true, emergency: true })
  })
  it('leave other alarm kinds to the pages', () => {
    expect(alertFor({ type: 'unit.alarm', data: { emergency: false, raised: ['overspeed'] } }, { popup: true, sound: true }, true)).toBe(null)
  })
})
