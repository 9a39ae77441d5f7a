// The cases pages' pure logic (issue 12, docs/cases.md): money in fen
// with string arithmetic only, the lifecycle's next steps, the list's
// query, saved searches and the seizure bodies the API expects.

export const CASE_STATUSES = ['received', 'filed', 'solved', 'transferred', 'closed_unfiled', 'revoked', 'merged']
export const MEASURE_KINDS = ['compelled_appearance', 'bail', 'residential_surveillance', 'detention', 'arrest', 'summons']
export const COERCIVE = ['compelled_appearance', 'bail', 'residential_surveillance', 'detention', 'arrest']
export const ROLES = ['suspect', 'victim', 'witness']
export const SEIZURE_KINDS = ['funds', 'sim_cards', 'bank_cards', 'devices', 'accounts']
export const FUND_STATES = ['frozen', 'seized', 'returned']
export const DEVICE_TYPES = ['cat_pool', 'goip', 'phone', 'computer', 'server']
export const POOLED = ['cat_pool', 'goip'] // a cat pool has slots, a GoIP channels

// The lifecycle's edges, as case.go's caseTransitions.
const NEXT = {
  received: ['filed', 'closed_unfiled'],
  filed: ['solved', 'revoked'],
  solved: ['transferred'],
}

/** nextSteps lists the statuses a case in status may move to. */
export function nextSteps(status) {
  return [...(NEXT[status] || [])]
}

// needsReason reports whether moving to status to requires a reason (closed unfiled, revoked).
export function needsReason(to) {
  return to === 'closed_unfiled' || to === 'revoked'
}

/** canMerge reports whether a case in status may be merged into another (open cases only). */
export function canMerge(status) {
  return status === 'received' || status === 'filed'
}

/** isOpen reports whether a case may still be written to. */
export function isOpen(status) {
  return status !== 'merged'
}

/** validReason checks a reason: 4–500 characters once trimmed (as the server). */
export function validReason(s, required = true) {
  const n = [...String(s || '').trim()].length
  if (n === 0) return !required
  return n >= 4 && n <= 500
}

/** statusType is the el-tag type of a status. */
export function statusType(status) {
  return ({ received: 'info', filed: 'primary', solved: 'success', transferred: 'success', closed_unfiled: 'warning', revoked: 'danger', merged: 'info' })[status] || 'info'
}

/** caseRef is how a case is named: its number once filed, its receipt before. */
export function caseRef(c) {
  return (c && (c.number || c.receipt)) || ''
}

const YUAN = /^(\d{1,13})(?:\.(\d{1,2}))?$/

/**
 * normalizeYuan checks an amount in yuan as typed ("1,980,000", "12.5",
 * "\u00a50.10") and returns it as the API takes it — text with two decimals,
 * "1980000.00" — or null. Never through a floating-point number.
 */
export function normalizeYuan(s) {
  const v = String(s == null ? '' : s).trim().replace(/^[\u00a5\uffe5]/, '').replace(/[,\uff0c\s]/g, '')
  const m = YUAN.exec(v)
  if (!m) return null
  const ip = m[1].replace(/^0+(?=\d)/, '')
  const fp = (m[2] || '').padEnd(2, '0')
  return `${ip}.${fp}`
}

/** yuanToFen turns yuan text into integer fen (a BigInt-free string sum), or null. */
export function yuanToFen(s) {
  const y = normalizeYuan(s)
  if (y === null) return null
  const [ip, fp] = y.split('.')
  const digits = (ip + fp).replace(/^0+(?=\d)/, '')
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : null
}

// The thousands separator goes between digit triples counted from the
// right: \B keeps it off the start (and off a minus sign).
const TRIPLES = /\B(?=(\d{3})+(?!\d))/g

/**
 * formatCount writes an integer with thousands separators (1200000 →
 * "1,200,000", -1234 → "-1,234"); anything that is not an integer comes
 * back as it is, so a figure is never rounded or hidden.
 */
export function formatCount(n) {
  const s = n === null || n === undefined ? '' : String(n)
  return /^-?\d+$/.test(s) ? s.replace(TRIPLES, ',') : s
}

/** fenToYuan writes integer fen as yuan with two decimals; group adds thousands separators. */
export function fenToYuan(fen, group = false) {
  if (fen === null || fen === undefined || fen === '') return ''
  let s = String(fen)
  if (!/^-?\d+$/.test(s)) return ''
  const neg = s.startsWith('-')
  if (neg) s = s.slice(1)
  s = s.padStart(3, '0')
  let ip = s.slice(0, -2).replace(/^0+(?=\d)/, '')
  const fp = s.slice(-2)
  if (group) ip = formatCount(ip)
  return `${neg ? '-' : ''}${ip}.${fp}`
}

/** emptyCaseFilters is the filter bar with nothing chosen. */
export function emptyCaseFilters() {
  return { status: '', type: '', campaign: '', dept: '', q: '' }
}

/** caseQuery turns the filter bar and the page into GET /cases parameters, empty ones left out. */
export function caseQuery(f, page = { offset: 0, limit: 50 }) {
  const out = {}
  for (const k of ['status', 'type', 'dept']) {
    const v = String((f && f[k]) || '').trim()
    if (v) out[k] = v
  }
  const q = String((f && f.q) || '').trim()
  if (q) out.q = q
  const c = f && f.campaign
  if (c !== '' && c !== null && c !== undefined && Number(c) > 0) out.campaign = String(Number(c))
  if (page) {
    out.offset = String(page.offset || 0)
    out.limit = String(page.limit || 50)
  }
  return out
}

/** filtersFromQuery reads the filter bar back from a route query. */
export function caseFiltersFromQuery(q) {
  const f = emptyCaseFilters()
  for (const k of Object.keys(f)) {
    const v = q && q[k]
    if (typeof v === 'string') f[k] = k === 'campaign' ? (Number(v) > 0 ? Number(v) : '') : v
  }
  return f
}

// Saved searches live in the browser (localStorage), per user.
export const SAVED_KEY = 'zhudun.caseSearches'

function store(storage) {
  if (storage) return storage
  try { return typeof localStorage === 'undefined' ? null : localStorage } catch { return null }
}

/** loadSearches returns the saved searches [{name, filters}] of user. */
export function loadSearches(user, storage) {
  const s = store(storage)
  if (!s) return []
  try {
    const v = JSON.parse(s.getItem(`${SAVED_KEY}.${user || ''}`) || '[]')
    return Array.isArray(v) ? v.filter((x) => x && typeof x.name === 'string' && x.filters && typeof x.filters === 'object') : []
  } catch { return [] }
}

/** saveSearch adds (or replaces, by name) a saved search and returns the list. */
export function saveSearch(user, name, filters, storage) {
  const n = String(name || '').trim()
  if (!n) return loadSearches(user, storage)
  const clean = { ...emptyCaseFilters() }
  for (const k of Object.keys(clean)) if (filters && filters[k] !== undefined && filters[k] !== null) clean[k] = filters[k]
  const list = loadSearches(user, storage).filter((x) => x.name !== n)
  list.push({ name: n, filters: clean })
  list.sort((a, b) => a.name.localeCompare(b.name))
  const s = store(storage)
  if (s) s.setItem(`${SAVED_KEY}.${user || ''}`, JSON.stringify(list))
  return list
}

/** deleteSearch removes a saved search by name and returns the list. */
export function deleteSearch(user, name, storage) {
  const list = loadSearches(user, storage).filter((x) => x.name !== name)
  const s = store(storage)
  if (s) s.setItem(`${SAVED_KEY}.${user || ''}`, JSON.stringify(list))
  return list
}

/** splitItems splits pasted numbers, IMEIs or accounts on commas, spaces and new lines. */
export function splitItems(s) {
  return String(s || '').split(/[\s,;\uff0c\uff1b]+/).map((x) => x.trim()).filter(Boolean)
}

/**
 * seizureBody builds POST /cases/{id}/seizures from the form: only the
 * fields the kind carries (the server refuses any other), the amount as
 * yuan text with two decimals. Returns {body} or {field} naming what is wrong.
 */
export function seizureBody(f) {
  const kind = f.kind
  const note = String(f.note || '').trim()
  if (kind === 'funds') {
    const amount = normalizeYuan(f.amount)
    if (amount === null || yuanToFen(amount) === 0) return { field: 'amount' }
    const b = { kind, amount, account: String(f.account || '').trim(), bank: String(f.bank || '').trim(), state: f.state }
    if (!b.account) return { field: 'account' }
    if (!b.bank) return { field: 'bank' }
    if (!FUND_STATES.includes(b.state)) return { field: 'state' }
    const dayField = { frozen: 'frozen_on', seized: 'seized_on', returned: 'returned_on' }[b.state]
    for (const d of ['frozen_on', 'seized_on', 'returned_on']) if (f[d]) b[d] = f[d]
    if (!b[dayField]) return { field: dayField }
    if (note) b.note = note
    return { body: b }
  }
  if (!SEIZURE_KINDS.includes(kind)) return { field: 'kind' }
  const count = Number(f.count)
  const items = splitItems(f.items)
  const b = { kind, count: Number.isInteger(count) ? count : 0, seized_on: f.seized_on || '' }
  if (kind === 'devices') {
    if (!DEVICE_TYPES.includes(f.device_type)) return { field: 'device_type' }
    b.device_type = f.device_type
    if (POOLED.includes(f.device_type)) {
      const slots = Number(f.slots)
      if (!Number.isInteger(slots) || slots < 1 || slots > 1024) return { field: 'slots' }
      b.slots = slots
    }
  }
  if (b.count < 1) return { field: 'count' }
  if (kind !== 'devices' && items.length > b.count) return { field: 'items' }
  if (items.length) b.items = items
  if (!b.seized_on) return { field: 'seized_on' }
  if (note) b.note = note
  return { body: b }
}

/** entityGraph builds the nodes and edges of a case's entities: each entity tied to its gang. */
export function entityGraph(entities) {
  const nodes = []
  const edges = []
  const seen = new Set()
  for (const e of entities || []) {
    const id = `${e.category}|${e.entity}`
    if (!seen.has(id)) { seen.add(id); nodes.push({ id, entity: e.entity, category: e.category, gang: e.gang || '' }) }
    if (e.gang) {
      const g = `gang|${e.gang}`
      if (!seen.has(g)) { seen.add(g); nodes.push({ id: g, entity: e.gang, category: 'gang', gang: e.gang }) }
      edges.push({ source: g, target: id })
    }
  }
  return { nodes, edges }
}

/** resolveCaseRef tells an id ("12", "#12") from a number or receipt. */
export function parseCaseRef(s) {
  const v = String(s || '').trim()
  const m = /^#?(\d+)$/.exec(v)
  if (m) return { id: Number(m[1]) }
  return v ? { number: v } : null
}

// --- attachments and edits ---------------------------------------------------

/** MAX_ATTACHMENT_BYTES is the server's limit of one file (zhudun.MaxAttachmentSize). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

/** formatBytes shows a size in B, KB or MB (1024-based, one decimal). */
export function formatBytes(n) {
  const v = Number(n) || 0
  if (v < 1024) return `${v} B`
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`
  return `${(v / 1024 / 1024).toFixed(1)} MB`
}

/**
 * uploadProblem says why a chosen file is not sent: 'size' when it is over
 * the limit, 'empty' when it has nothing, '' otherwise. The type is the
 * server's to decide, from the content.
 */
export function uploadProblem(file) {
  if (!file || !file.size) return 'empty'
  return file.size > MAX_ATTACHMENT_BYTES ? 'size' : ''
}

/**
 * uploadError names a refused upload: 'tooLarge' for a file over the limit
 * (413 without a case limit's message), 'caseFull' when the case holds all
 * it may, 'refused' for a type or name refused (the server's message says
 * which), '' for anything else (shown as is).
 */
export function uploadError(e) {
  if (!e) return ''
  if (e.status === 413) return /case holds/.test(e.message || '') ? 'caseFull' : 'tooLarge'
  if (e.status === 400 && e.field === 'file') return 'refused'
  return ''
}

/**
 * editBody builds PATCH /cases/{id}'s body from the edit form: only what
 * differs from case c (the title trimmed; the team as ids, compared as a
 * set, the lead left out of it). users maps the case's usernames to ids
 * (the team comes as usernames); without them lead and team are not sent.
 * Returns { body } (null when nothing changed) or { field } naming what is
 * wrong.
 */
export function editBody(c, f, users) {
  const body = {}
  const title = String(f.title || '').trim()
  const n = [...title].length
  if (n < 2 || n > 200) return { field: 'title' }
  if (title !== c.title) body.title = title
  if (f.type && f.type !== c.type) body.type = f.type
  if (f.dept && f.dept !== c.dept) body.dept = f.dept
  if (users) {
    const lead = f.lead || 0
    if (lead !== (c.lead_id || 0)) body.lead = lead
    const byName = new Map(users.map((u) => [u.username, u.id]))
    const before = (c.team || []).map((name) => byName.get(name)).filter(Boolean)
    const after = [...new Set((f.team || []).filter((id) => id && id !== lead))]
    const same = before.length === after.length && before.every((id) => after.includes(id))
    if (!same || (lead && before.includes(lead))) body.team = after
  }
  return { body: Object.keys(body).length ? body : null }
}

// Bulk import (docs/cases.md, "Bulk import"): the kinds in the order the
// server stores them, the template links and the upload's address.
export const IMPORT_KINDS = ['cases', 'people', 'measures', 'seizures']

/** templateURL is the address of the workbook template, or of one kind's CSV template. */
export function templateURL(kind) {
  return kind ? '/api/v1/cases/import/template?format=csv&kind=' + encodeURIComponent(kind) : '/api/v1/cases/import/template'
}

/** isImportFile reports whether a file name is one the import reads (.xlsx or .csv). */
export function isImportFile(name) {
  return /\.(xlsx|csv)$/i.test(String(name || ''))
}

/** importPath is the upload's API path: the file's name, and a CSV's kind when chosen. */
export function importPath(name, kind) {
  let p = '/cases/import?name=' + encodeURIComponent(name || 'upload')
  if (kind && /\.csv$/i.test(name || '')) p += '&kind=' + encodeURIComponent(kind)
  return p
}

/** importCountRows lists an import's counts by kind, in the kinds' order, zero where absent. */
export function importCountRows(counts) {
  return IMPORT_KINDS.map((kind) => {
    const c = (counts && counts[kind]) || {}
    return { kind, stored: c.stored || 0, skipped: c.skipped || 0 }
  })
}

/**
 * alertFiltersFromQuery reads the alerts page's filters from the address:
 * open alerts unless it says closed or all.
 */
export function alertFiltersFromQuery(q) {
  const s = q && q.state
  return { state: s === 'closed' ? 'closed' : s === 'all' ? '' : 'open', dept: (q && typeof q.dept === 'string' && q.dept) || '' }
}

/**
 * alertQuery turns the alerts page's filters into GET /case-alerts
 * parameters (page given) or into the address (page null: open, the
 * default, left out; every state written "all").
 */
export function alertQuery(f, page = { offset: 0, limit: 50 }) {
  const out = {}
  const s = (f && f.state) || ''
  if (page) {
    if (s) out.state = s
  } else if (s !== 'open') out.state = s || 'all'
  const d = String((f && f.dept) || '').trim()
  if (d) out.dept = d
  if (page) {
    out.offset = String(page.offset || 0)
    out.limit = String(page.limit || 50)
  }
  return out
}
