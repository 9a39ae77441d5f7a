// The Four Cuts analyst pages' pure logic (issue 11): the findings list's
// filters as a query, the evidence in plain words, the review's body.
// Kept apart from the components so the unit tests can check it.
import { t, te, locale, messages, lookup } from './i18n/index.js'
import { describeSignal, describeLimit } from './signals.js'
import { wallToRFC3339 } from './time.js'

// The contract's categories and the statuses of the two axes (finding.go,
// review.go): the review's and the cut's, and the engine's.
export const CATEGORIES = ['black_card', 'black_account', 'black_device', 'black_line', 'black_software']
export const REVIEW_STATUSES = ['new', 'confirmed', 'dismissed', 'cut', 'restored']
export const ENGINE_STATES = ['live', 'withdrawn', 'any']
export const SORTS = ['id', 'score', '+score', 'first_seen', '+first_seen', 'last_seen', '+last_seen']
export const ALLOW_ENTITY_TYPES = ['msisdn', 'imei', 'device', 'account', 'ip']
export const APPEAL_STATUSES = ['open', 'restored', 'rejected']
// The entity type each category asserts black (fourcuts.EntityTypeOf).
export const ENTITY_TYPE_OF = { black_card: 'msisdn', black_account: 'account', black_line: 'ip', black_device: 'imei', black_software: 'device' }
// A cut or restored finding is decided through an appeal, not reviewed (409).
export const REVIEWABLE = ['new', 'confirmed', 'dismissed']
export const REASON_MIN = 4
export const REASON_MAX = 500
// Selected rows are reviewed one request each: the API has no batch
// review, so the two-person rule (which counts the findings of one
// request) would not see a large batch. The batch is kept small; a
// gang is reviewed as a gang.
// A selection is reviewed in one request (POST /findings/review, at most
// 500 ids), which the two-person rule counts as one review.
export const BATCH_MAX = 500
export const LEGITIMATE = 'legitimate'
// The event types after which the findings list refreshes.
export const FINDING_EVENTS = ['finding.created', 'finding.updated', 'finding.withdrawn', 'lead.created', 'lead.updated', 'lead.withdrawn']

/** emptyFilters is the filter bar's initial state. */
export function emptyFilters() {
  return {
    category: '', status: '', engine: '', min_score: null, signal: '', source: '', gang: '', region: '',
    first: null, last: null, // [from, to] as 'YYYY-MM-DD' strings, China days
    sort: '',
    // Exact bounds (RFC 3339) from a drill-down of today's figures
    // (dashboard.js): when recorded, confirmed, cut. Not in the filter bar.
    created_from: '', created_to: '', confirmed_from: '', confirmed_to: '', cut_from: '', cut_to: '',
  }
}

/** DRILL_KEYS are the exact bounds a drill-down of today's figures sets. */
export const DRILL_KEYS = ['created_from', 'created_to', 'confirmed_from', 'confirmed_to', 'cut_from', 'cut_to']

/** nextDay returns the day after a 'YYYY-MM-DD' date (calendar arithmetic, no zone). */
export function nextDay(d) {
  const [y, m, day] = d.split('-').map(Number)
  const x = new Date(Date.UTC(y, m - 1, day + 1))
  return x.toISOString().slice(0, 10)
}

// A range of China days [from, to], both included, as the API's from
// (included) and to (excluded) in RFC 3339 with +08:00.
function dayRange(r) {
  if (!Array.isArray(r) || r.length !== 2 || !r[0] || !r[1]) return ['', '']
  return [wallToRFC3339(r[0] + ' 00:00:00'), wallToRFC3339(nextDay(r[1]) + ' 00:00:00')]
}

/**
 * findingQuery turns the filter bar and the page into the query of GET
 * /api/v1/findings (and /leads, /findings/export): empty filters are left
 * out; the dates become China-time bounds; withPage false leaves out
 * offset and limit (the export takes every row).
 */
export function findingQuery(f, page = { offset: 0, limit: 50 }, withPage = true) {
  const q = {}
  for (const k of ['category', 'status', 'engine', 'signal', 'source', 'gang', 'region', 'sort', ...DRILL_KEYS]) {
    const v = typeof f[k] === 'string' ? f[k].trim() : f[k]
    if (v) q[k] = v
  }
  if (f.min_score !== null && f.min_score !== undefined && f.min_score !== '' && Number(f.min_score) > 0) q.min_score = String(Number(f.min_score))
  const [ff, ft] = dayRange(f.first)
  if (ff) { q.first_from = ff; q.first_to = ft }
  const [lf, lt] = dayRange(f.last)
  if (lf) { q.last_from = lf; q.last_to = lt }
  if (withPage) {
    q.offset = String(page.offset || 0)
    q.limit = String(page.limit || 50)
  }
  return q
}

/** queryString renders a query object as "?a=1&b=2" (keys in their order). */
export function queryString(q) {
  const s = new URLSearchParams(q).toString()
  return s ? '?' + s : ''
}

/** exportURL is the findings export's link with the current filters. */
export function exportURL(f, format) {
  return '/api/v1/findings/export' + queryString({ ...findingQuery(f, null, false), format })
}

// Numbers as the engine rounds them (three decimals), without trailing zeros.
export function num(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v === undefined || v === null ? '' : String(v)
  return String(Math.round(v * 1000) / 1000)
}

/** formatWindow turns an engine window ("24h", "30m", "7d") into words. */
export function formatWindow(w, loc = locale.value) {
  if (!w) return ''
  const m = /^(\d+)([smhd])$/.exec(w)
  if (!m) return w
  return tIn(loc, 'fourcuts.window.' + m[2], { n: m[1] })
}

// t in a given locale (the evidence may be rendered for either language).
function tIn(loc, key, params) {
  let v = lookup(messages[loc] || messages['zh-CN'], key)
  if (v === undefined) v = lookup(messages['zh-CN'], key)
  if (v === undefined) return key
  return params ? v.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : v
}

function pairs(obj, loc, label) {
  if (!obj) return []
  // The contract's object {Name: value}; tolerate the Go default [{Name, Value}].
  const list = Array.isArray(obj) ? obj.map((x) => [x.Name ?? x.name, x.Value ?? x.value]) : Object.entries(obj)
  return list.map(([name, value]) => ({ name, label: label(name, loc), value: num(value) }))
}

function measureLabel(name, loc) {
  const k = 'fourcuts.measure.' + name
  if (lookup(messages['zh-CN'], k) === undefined) return describeLimit(name, loc)
  return tIn(loc, k)
}

/**
 * formatEvidence turns one piece of evidence ({signal, value, threshold,
 * window, weight, limits, measures, detector}) into what the analyst
 * reads: the signal's title and meaning, value and threshold with the
 * signal's unit, the window in words, the weight, and the limits and
 * measures in force, each named.
 */
export function formatEvidence(ev, loc = locale.value) {
  const d = describeSignal(ev.signal, loc)
  const unit = d.unit || ''
  const withUnit = (v) => (v === '' ? '' : unit ? `${v} ${unit}` : v)
  return {
    signal: ev.signal,
    title: d.title || ev.signal,
    meaning: d.meaning || '',
    value: withUnit(num(ev.value)),
    threshold: withUnit(num(ev.threshold)),
    window: formatWindow(ev.window, loc),
    weight: num(ev.weight),
    limits: pairs(ev.limits, loc, describeLimit),
    measures: pairs(ev.measures, loc, measureLabel),
    detector: ev.detector || '',
  }
}

/** signalTitles lists the short titles of a finding's signals, in order. */
export function signalTitles(evidence, loc = locale.value) {
  return (Array.isArray(evidence) ? evidence : []).map((e) => describeSignal(e.signal, loc).title || e.signal)
}

/** reasonLength counts a reason as the server does (characters, not UTF-16 units). */
export const reasonLength = (s) => [...(s || '')].length

/** validReason: 4–500 characters after trimming (review.go ValidReason). */
export function validReason(s) {
  const n = reasonLength((s || '').trim())
  return n >= REASON_MIN && n <= REASON_MAX
}

/**
 * reviewBody builds POST …/review's body from the dialog's form
 * {decision, reason, allow, expires} (expires a China day 'YYYY-MM-DD'):
 * a dismissal of a legitimate user is reason "legitimate: …" with
 * allow true and its optional expiry at the end of that day.
 */
export function reviewBody(form) {
  const reason = (form.reason || '').trim()
  const body = { decision: form.decision, reason }
  if (form.decision === 'dismiss' && form.allow) {
    body.reason = reason.startsWith(LEGITIMATE + ':') || reason === LEGITIMATE ? reason : `${LEGITIMATE}: ${reason}`
    body.allow = true
    if (form.expires) body.allow_expires = wallToRFC3339(form.expires + ' 23:59:59')
  }
  return body
}

/** canReview reports whether a finding of status s may be reviewed. */
export const canReview = (s) => REVIEWABLE.includes(s)

/** reviewPath is the review's endpoint for a target {kind:'finding', id} | {kind:'gang', gang}. */
export function reviewPath(target) {
  if (target.kind === 'gang') return '/gangs/' + encodeURIComponent(target.gang) + '/review'
  if (target.kind === 'findings') return '/findings/review'
  return '/findings/' + encodeURIComponent(target.id) + '/review'
}

/** statusType is the tag colour of a review status. */
export const statusType = (s) => ({ new: 'warning', confirmed: 'danger', dismissed: 'info', cut: 'success', restored: 'primary' })[s] || 'info'

/** label names a code of a family (category, status …), or the code itself. */
export function label(family, code) {
  const k = `fourcuts.${family}.${code}`
  return te(k) ? t(k) : code
}

/** overdueRows picks the rows with something overdue (highlighted). */
export const isOverdue = (row) => (row.overdue || 0) > 0

/** cutTotals sums the cut-list counts over rows. */
export function cutTotals(rows) {
  const out = { confirmed: 0, cut: 0, not_cut: 0, overdue: 0, restored: 0 }
  for (const r of rows || []) for (const k of Object.keys(out)) out[k] += r[k] || 0
  return out
}

/**
 * throttle returns {poke, cancel}: poke asks for fn to run; it runs at
 * most once per wait milliseconds (the first poke after a quiet spell
 * runs it at once), and pokes while one is pending join it.
 */
export function throttle(fn, wait = 1000) {
  let timer = null
  let last = -Infinity
  const run = () => { timer = null; last = Date.now(); fn() }
  return {
    poke() {
      if (timer) return
      timer = setTimeout(run, Math.max(0, last + wait - Date.now()))
    },
    cancel() { clearTimeout(timer); timer = null },
  }
}

/** sortKey turns a sort value ("+score") into its label's key segment ("score_asc"). */
export const sortKey = (s) => (s.startsWith('+') ? s.slice(1) + '_asc' : s)

/** knownSignals lists the signal names the i18n files describe. */
export const knownSignals = () => Object.keys(messages['zh-CN'].signal || {}).sort()

/** allowBody builds POST /allowlist's body; the expiry (a China day) runs to that day's end. */
export function allowBody(form) {
  const b = { entity_type: form.entity_type, entity: (form.entity || '').trim(), reason: (form.reason || '').trim() }
  if (form.expires) b.expires_at = wallToRFC3339(form.expires + ' 23:59:59')
  return b
}

/** prevDay returns the day before a 'YYYY-MM-DD' date. */
export function prevDay(d) {
  const [y, m, day] = d.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, day - 1)).toISOString().slice(0, 10)
}

// The bounds findingQuery writes, read back as China days.
function rangeFrom(from, to) {
  const day = (s) => (/^\d{4}-\d{2}-\d{2}/.exec(s || '') || [])[0]
  const a = day(from)
  const b = day(to)
  return a && b ? [a, prevDay(b)] : null
}

/**
 * filtersFromQuery reads the filter bar and the page back from a route's
 * query as findingQuery wrote it (the page keeps its filters in the
 * address: back from a gang's page, or reloaded, it shows the same list).
 */
export function filtersFromQuery(q) {
  const f = emptyFilters()
  const one = (v) => (Array.isArray(v) ? v[0] : v) || ''
  for (const k of ['category', 'status', 'engine', 'signal', 'source', 'gang', 'region', 'sort']) f[k] = one(q[k])
  for (const k of DRILL_KEYS) if (!Number.isNaN(Date.parse(one(q[k])))) f[k] = one(q[k])
  const ms = Number(one(q.min_score))
  if (ms > 0 && ms <= 1) f.min_score = ms
  f.first = rangeFrom(one(q.first_from), one(q.first_to))
  f.last = rangeFrom(one(q.last_from), one(q.last_to))
  const offset = Math.max(0, parseInt(one(q.offset), 10) || 0)
  const limit = [20, 50, 100, 200].includes(parseInt(one(q.limit), 10)) ? parseInt(one(q.limit), 10) : 50
  return { filters: f, page: { offset, limit } }
}

/** deadlineText names the cut deadline (hours, as GET /cutlists gives it) in words. */
export function deadlineText(hours, loc = locale.value) {
  if (!(hours > 0)) return ''
  if (hours >= 1) return tIn(loc, 'fourcuts.window.h', { n: Math.round(hours * 10) / 10 })
  return tIn(loc, 'fourcuts.window.m', { n: Math.max(1, Math.round(hours * 60)) })
}
