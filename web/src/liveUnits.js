// The live map's units: every unit the user may see, kept in a plain Map
// (not Vue-reactive: 5,000 units moving would make every fix a cascade of
// reactive updates) and changed by the event stream's unit.positions
// batches and unit.* events. Listeners are told at most once per animation
// frame, however many fixes arrived: the map redraws once per frame.
import { fetchAll, api } from './api.js'
import { onLive, onLiveOpen } from './live.js'
import { withClock, isStale } from './patrol.js'

/** TRACK_MINUTES is how much of each unit's track the live map draws. */
export const TRACK_MINUTES = 30

/**
 * mergeFix merges a fix of a unit.positions batch into the unit held (old,
 * or undefined). The position moves only forward in time; the state (status,
 * label, incident) only forward in version — a batch may be older than a
 * unit.status event already applied. It returns the merged unit, or null
 * when the fix changes nothing. at: local time of arrival; eventAt: the
 * batch's server time (the position's age is worked out against it).
 */
export function mergeFix(old, f, at, eventAt) {
  if (!f || typeof f.id !== 'number') return null
  const newerPos = !old || !old.position_at || (f.position_at && new Date(f.position_at) >= new Date(old.position_at))
  const newerState = !old || typeof old.version !== 'number' || f.version >= old.version
  if (!newerPos && !newerState) return null
  const u = old ? { ...old } : { crew: [] }
  if (newerState) {
    for (const k of ['id', 'callsign', 'kind', 'station', 'station_name', 'status', 'status_label', 'version']) if (f[k] !== undefined) u[k] = f[k]
    u.incident_id = f.incident_id || null
  }
  if (newerPos) {
    u.lon = f.lon
    u.lat = f.lat
    u.position_at = f.position_at
    u.position_age_seconds = undefined
    return withClock(u, at, eventAt)
  }
  return u
}

/**
 * mergeUnit merges a unit carried by a unit.created / unit.status /
 * unit.updated event: the newer version wins; a position it carries moves
 * the unit only forward in time.
 */
export function mergeUnit(old, d, type, at, eventAt) {
  if (!d || typeof d.id !== 'number') return null
  if (old && typeof old.version === 'number' && typeof d.version === 'number' && d.version < old.version) return null
  const u = { ...(old || {}), ...d, incident_id: d.incident_id || null, position_age_seconds: undefined }
  // Only unit.updated carries the crew; the others leave it as it was.
  u.crew = type.endsWith('.updated') ? (d.crew || []) : ((old && old.crew) || d.crew || [])
  if (old && old.position_at && (!d.position_at || new Date(d.position_at) < new Date(old.position_at))) {
    u.lon = old.lon; u.lat = old.lat; u.position_at = old.position_at
    u.position_age_seconds = old.position_age_seconds; u._at = old._at
    return u
  }
  return withClock(u, at, eventAt)
}

/** STATUS_ORDER is the order of the counts by base state. */
export const STATUS_ORDER = ['patrolling', 'returning', 'dispatched', 'on_scene', 'off_duty']

/**
 * statusCounts counts units by base state, and separately the stale ones
 * (no position, or older than staleAfter seconds) and the available ones
 * (patrolling or returning with a fresh position: what dispatch may pick).
 */
export function statusCounts(units, now, staleAfter) {
  const c = { total: 0, stale: 0, available: 0 }
  for (const s of STATUS_ORDER) c[s] = 0
  for (const u of units) {
    c.total++
    c[u.status] = (c[u.status] || 0) + 1
    const stale = isStale(u, now, staleAfter)
    if (stale) c.stale++
    else if (u.status === 'patrolling' || u.status === 'returning') c.available++
  }
  return c
}

/**
 * appendTrack adds a fix to a track ([{lon, lat, ts}], oldest first) and
 * drops what is older than minutes before the newest fix; a fix older than
 * the track's last is ignored (tracks only grow forward).
 */
export function appendTrack(track, fix, minutes = TRACK_MINUTES) {
  const ts = new Date(fix.ts).getTime()
  if (!Number.isFinite(ts)) return track
  const last = track.length ? new Date(track[track.length - 1].ts).getTime() : -Infinity
  if (ts < last) return track
  if (ts === last && track[track.length - 1].lon === fix.lon && track[track.length - 1].lat === fix.lat) return track
  track.push({ lon: fix.lon, lat: fix.lat, ts: fix.ts })
  const from = ts - minutes * 60000
  let i = 0
  while (i < track.length && new Date(track[i].ts).getTime() < from) i++
  if (i > 0) track.splice(0, i)
  return track
}

/**
 * createLiveUnits loads the units and follows the event stream until
 * stop(). onChange(kind) is called at most once per animation frame with
 * what changed since ('units'); onAlarm(ev) for each unit.alarm.
 */
export function createLiveUnits({ onChange = () => {}, onAlarm = () => {} } = {}) {
  const units = new Map()
  let pending = false
  let raf = 0
  let fixes = 0
  const tracks = new Map() // unit id → track of the last TRACK_MINUTES (only units asked for)
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f) => setTimeout(f, 16)
  function changed() {
    pending = true
    if (raf) return
    raf = frame(() => {
      raf = 0
      if (!pending) return
      pending = false
      onChange('units')
    })
  }
  const off = onLive((ev) => {
    const now = Date.now()
    if (ev.type === 'unit.positions') {
      for (const f of ev.data || []) {
        const u = mergeFix(units.get(f.id), f, now, ev.at)
        if (!u) continue
        units.set(f.id, u)
        fixes++
        const tr = tracks.get(f.id)
        if (tr && f.position_at) appendTrack(tr, { lon: f.lon, lat: f.lat, ts: f.position_at })
      }
      changed()
    } else if (/^unit\.(created|status|updated)$/.test(ev.type)) {
      const u = mergeUnit(units.get(ev.data && ev.data.id), ev.data, ev.type, now, ev.at)
      if (u) { units.set(u.id, u); changed() }
    } else if (ev.type === 'unit.alarm') {
      onAlarm(ev)
    }
  })
  // Fixes and states sent while the stream was down are not replayed: a
  // reconnection reloads the list (newer stream fixes still win in load).
  const offOpen = onLiveOpen(() => { load().catch(() => {}) })
  async function load() {
    const at = Date.now()
    const list = await fetchAll('/units')
    for (const u of list) {
      const old = units.get(u.id)
      // A fix that came over the stream while the list loaded stays.
      if (old && old.position_at && u.position_at && new Date(old.position_at) > new Date(u.position_at)) continue
      units.set(u.id, withClock(u, at))
    }
    changed()
  }
  /** track loads a unit's last TRACK_MINUTES and keeps it growing with its fixes. */
  async function track(id) {
    const res = await api.get(`/units/${id}/track`, { minutes: TRACK_MINUTES })
    const tr = []
    for (const p of (res && res.items) || []) appendTrack(tr, p)
    const u = units.get(id)
    if (u && u.position_at) appendTrack(tr, { lon: u.lon, lat: u.lat, ts: u.position_at })
    tracks.set(id, tr)
    return tr
  }
  function untrack(id) { tracks.delete(id) }
  function stop() { off(); offOpen(); if (raf && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(raf); raf = 0 }
  return { units, tracks, load, track, untrack, stop, fixesApplied: () => fixes, get: (id) => units.get(id) }
}
