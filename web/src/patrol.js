// Grid patrol and incident dispatch (网格驻巡): labels of the server's codes,
// and the page logic that needs no DOM (tested in test/patrol.test.js).
import { t, te } from './i18n/index.js'
import { formatTime } from './time.js'

const label = (family, code, fallback) => {
  if (code === undefined || code === null || code === '') return ''
  const k = `patrol.${family}.${code}`
  return te(k) ? t(k) : (fallback || String(code))
}

/** categoryLabel names an incident category code; unknown codes show the server's name. */
export const categoryLabel = (code, name) => label('category', code, name)
export const sourceLabel = (code) => label('source', code)
export const outcomeLabel = (code) => label('outcome', code)
export const incidentStatusLabel = (code) => label('incidentStatus', code)
export const priorityLabel = (p) => label('priority', p)
/** unitStatusLabel names a unit's status label (custom labels included), or its base state. */
export const unitStatusLabel = (code) => label('unitStatus', code)
export const unitKindLabel = (code) => label('unitKind', code)
export const tierLabel = (code) => label('tier', code)

/** Element Plus tag types for incident and unit states. */
export const incidentStatusType = (s) => ({ received: 'danger', dispatched: 'warning', on_scene: 'primary', closed: 'info' })[s] || 'info'
export const unitStateType = (s) => ({ patrolling: 'success', returning: 'success', dispatched: 'warning', on_scene: 'primary', off_duty: 'info' })[s] || 'info'

/** Map colours of unit base states (stale units are drawn grey and hollow). */
export const UNIT_COLOURS = { patrolling: '#2e9d4f', returning: '#2e9d4f', dispatched: '#e6a23c', on_scene: '#1d6fd8', off_duty: '#909399' }
export const STALE_COLOUR = '#a8abb2'

/** formatDistance shows metres below 1 km and kilometres with one decimal above. */
export function formatDistance(m) {
  if (typeof m !== 'number' || !Number.isFinite(m)) return ''
  if (m < 1000) return t('patrol.metres', { n: Math.round(m) })
  return t('patrol.kilometres', { n: (m / 1000).toFixed(1) })
}

/** formatAge shows a position's age as seconds, minutes or hours. */
export function formatAge(sec) {
  if (typeof sec !== 'number' || !Number.isFinite(sec)) return ''
  const s = Math.max(0, Math.round(sec))
  if (s < 60) return t('patrol.ageSeconds', { n: s })
  if (s < 3600) return t('patrol.ageMinutes', { n: Math.floor(s / 60) })
  return t('patrol.ageHours', { n: Math.floor(s / 3600) })
}

/** formatPct shows a change in percent with its sign, or a dash when there is none (last year was 0). */
export function formatPct(v, signed = true) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—'
  const s = v.toFixed(1)
  return (signed && v > 0 ? '+' : '') + s + '%'
}

/** minutesText shows a response time in whole minutes, or a dash. */
export function minutesText(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—'
  return t('patrol.minutes', { n: v })
}

/** elapsed between two times as "m:ss" or "h:mm:ss" (empty when a time is missing). */
export function elapsed(from, to) {
  if (!from || !to) return ''
  const ms = new Date(to).getTime() - new Date(from).getTime()
  if (!Number.isFinite(ms) || ms < 0) return ''
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  // A duration in words ("9 分 58 秒"): "9:58" read as a time of day.
  if (h > 0) return t('patrol.durHM', { h, m })
  if (m > 0) return t('patrol.durMS', { m, s: s % 60 })
  return t('patrol.durS', { s })
}

// --- geometry (WGS-84, GeoJSON order [lon, lat]) ---

function inRing(lon, lat, ring) {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** inGeometry reports whether a point is inside a GeoJSON Polygon or MultiPolygon (holes excluded). */
export function inGeometry(lon, lat, geom) {
  if (!geom || !geom.coordinates) return false
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates
  for (const poly of polys) {
    if (!poly.length || !inRing(lon, lat, poly[0])) continue
    if (poly.slice(1).some((hole) => inRing(lon, lat, hole))) continue
    return true
  }
  return false
}

/** findFeature returns the first feature of a FeatureCollection's list containing the point, or null. */
export function findFeature(features, lon, lat) {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null
  return (features || []).find((f) => inGeometry(lon, lat, f.geometry)) || null
}

/** boundsOf returns [[south, west], [north, east]] of features (Leaflet's order), or null. */
export function boundsOf(features) {
  let s = Infinity, w = Infinity, n = -Infinity, e = -Infinity
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1])
      return
    }
    for (const x of c) walk(x)
  }
  for (const f of features || []) if (f.geometry && f.geometry.coordinates) walk(f.geometry.coordinates)
  return s <= n && w <= e ? [[s, w], [n, e]] : null
}

/** validLonLat reports whether a point is a plausible WGS-84 position in China. */
export function validLonLat(lon, lat) {
  return Number.isFinite(lon) && Number.isFinite(lat) && lon >= 73 && lon <= 136 && lat >= 3 && lat <= 54
}

// --- dispatch ---

/** noUnitReason says, as an i18n key and its parameters, why a recommendation has no unit. */
export function noUnitReason(rec) {
  if (!rec || rec.unit) return null
  if (!rec.grid) return { key: 'dispatch.reason.outside', params: {} }
  const busy = rec.busy_units || 0
  const stale = rec.stale_units || 0
  const params = { grid: rec.grid, busy, stale }
  if (busy + stale === 0) return { key: 'dispatch.reason.none', params }
  if (busy === 0) return { key: 'dispatch.reason.stale', params }
  if (stale === 0) return { key: 'dispatch.reason.busy', params }
  return { key: 'dispatch.reason.mixed', params }
}

/** overriding reports whether choosing unitId departs from the recommendation (a reason is then required). */
export function overriding(rec, unitId) {
  if (!unitId) return false
  return !(rec && rec.unit && rec.unit.unit_id === unitId)
}

// --- units: staleness moves with the clock, not only with events ---

/**
 * withClock stamps a unit as received at local time now: its position's age
 * then grows with the local clock (no reliance on the browser's clock agreeing
 * with the server's). eventAt is the server time of an event carrying the
 * unit (whose age the server did not work out).
 */
export function withClock(u, now, eventAt) {
  const out = { ...u, _at: now }
  if (typeof u.position_age_seconds !== 'number' && u.position_at) {
    const ref = eventAt ? new Date(eventAt).getTime() : now
    out.position_age_seconds = Math.max(0, (ref - new Date(u.position_at).getTime()) / 1000)
  }
  return out
}

/** ageNow is a unit's position age in seconds at local time now, or null without a position. */
export function ageNow(u, now) {
  if (typeof u.position_age_seconds !== 'number') return null
  return u.position_age_seconds + Math.max(0, (now - (u._at || now)) / 1000)
}

/** isStale: no position, or one older than staleAfter seconds. */
export function isStale(u, now, staleAfter) {
  const a = ageNow(u, now)
  return a === null || a > staleAfter
}

/** upsertById replaces the item with the same id in list (or prepends it); it returns a new list. */
export function upsertById(list, item, prepend = true) {
  const i = list.findIndex((x) => x.id === item.id)
  if (i >= 0) {
    const out = list.slice()
    out[i] = { ...list[i], ...item }
    return out
  }
  return prepend ? [item, ...list] : [...list, item]
}

/** incidentMatches applies the board's filters to an incident that came by an event. */
export function incidentMatches(x, f) {
  if (f.status === 'open' && x.status === 'closed') return false
  if (f.status && f.status !== 'open' && f.status !== 'all' && x.status !== f.status) return false
  if (f.category && x.category !== f.category) return false
  if (f.source && x.source !== f.source) return false
  if (f.station && x.station !== f.station) return false
  return true
}

// --- dates (Asia/Shanghai) ---

/** todayBeijing is today's date in Beijing, YYYY-MM-DD. */
export function todayBeijing(ms = Date.now()) {
  return formatTime(new Date(ms)).slice(0, 10)
}

/** yearStart is 1 January of the Beijing year of date d (YYYY-MM-DD). */
export function yearStart(d) {
  return d.slice(0, 4) + '-01-01'
}
