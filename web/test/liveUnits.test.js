// The live map's merging rules, counts and tracks (liveUnits.js), with
// expected values written by hand.
import { describe, it, expect } from 'vitest'
import { mergeFix, mergeUnit, statusCounts, appendTrack } from '../src/liveUnits.js'

const T = (s) => `2026-12-03T08:00:${String(s).padStart(2, '0')}Z`

describe('mergeFix', () => {
  const old = { id: 7, callsign: 'A01', status: 'dispatched', version: 5, lon: 117, lat: 36, position_at: T(10), crew: [{ username: 'li' }] }
  it('moves the unit forward in time and keeps its crew', () => {
    const u = mergeFix(old, { id: 7, callsign: 'A01', status: 'dispatched', version: 5, lon: 117.1, lat: 36.1, position_at: T(20) }, 1000, T(21))
    expect(u.lon).toBe(117.1)
    expect(u.position_at).toBe(T(20))
    expect(u.crew).toEqual([{ username: 'li' }])
    expect(u.position_age_seconds).toBe(1)
  })
  it('ignores an older fix with an older state', () => {
    expect(mergeFix(old, { id: 7, status: 'patrolling', version: 4, lon: 1, lat: 1, position_at: T(5) }, 0, T(6))).toBeNull()
  })
  it('does not let a batch older than a status event undo the status', () => {
    const u = mergeFix(old, { id: 7, status: 'patrolling', version: 4, lon: 117.2, lat: 36.2, position_at: T(30) }, 0, T(30))
    expect(u.status).toBe('dispatched')
    expect(u.lon).toBe(117.2)
  })
  it('takes a newer state with an older position without moving the unit back', () => {
    const u = mergeFix(old, { id: 7, status: 'on_scene', version: 6, lon: 1, lat: 1, position_at: T(1) }, 0, T(2))
    expect(u.status).toBe('on_scene')
    expect(u.lon).toBe(117)
  })
  it('adds a unit it did not know', () => {
    const u = mergeFix(undefined, { id: 9, callsign: 'B02', status: 'patrolling', version: 1, lon: 117, lat: 36, position_at: T(0) }, 0, T(0))
    expect(u.callsign).toBe('B02')
    expect(u.crew).toEqual([])
  })
})

describe('mergeUnit', () => {
  const old = { id: 7, status: 'patrolling', version: 5, lon: 117.5, lat: 36.5, position_at: T(40), crew: [{ username: 'li' }] }
  it('a status event keeps the newer position and the crew', () => {
    const u = mergeUnit(old, { id: 7, status: 'dispatched', version: 6, lon: 117, lat: 36, position_at: T(10) }, 'unit.status', 0, T(41))
    expect(u.status).toBe('dispatched')
    expect(u.lon).toBe(117.5)
    expect(u.crew).toEqual([{ username: 'li' }])
  })
  it('an older version changes nothing; unit.updated replaces the crew', () => {
    expect(mergeUnit(old, { id: 7, status: 'off_duty', version: 4 }, 'unit.status', 0, T(41))).toBeNull()
    expect(mergeUnit(old, { id: 7, status: 'patrolling', version: 5, crew: [] }, 'unit.updated', 0, T(41)).crew).toEqual([])
  })
})

describe('statusCounts', () => {
  it('counts by state, stale apart, available only when fresh', () => {
    const now = 100000
    const us = [
      { status: 'patrolling', position_age_seconds: 10, _at: now },
      { status: 'patrolling', position_age_seconds: 500, _at: now },
      { status: 'returning', position_age_seconds: 1, _at: now },
      { status: 'dispatched', position_age_seconds: 1, _at: now },
      { status: 'off_duty' },
    ]
    const c = statusCounts(us, now, 180)
    expect(c).toMatchObject({ total: 5, patrolling: 2, returning: 1, dispatched: 1, on_scene: 0, off_duty: 1, stale: 2, available: 2 })
  })
})

describe('appendTrack', () => {
  it('keeps the last 30 minutes, forward only', () => {
    const tr = []
    appendTrack(tr, { lon: 1, lat: 1, ts: '2026-12-03T08:00:00Z' })
    appendTrack(tr, { lon: 2, lat: 2, ts: '2026-12-03T08:20:00Z' })
    appendTrack(tr, { lon: 9, lat: 9, ts: '2026-12-03T08:10:00Z' }) // older than the last: ignored
    appendTrack(tr, { lon: 2, lat: 2, ts: '2026-12-03T08:20:00Z' }) // the same fix again
    expect(tr.map((p) => p.lon)).toEqual([1, 2])
    appendTrack(tr, { lon: 3, lat: 3, ts: '2026-12-03T08:30:01Z' }) // 08:00 is now 30 min 1 s old
    expect(tr.map((p) => p.lon)).toEqual([2, 3])
  })
})
