// The command dashboard's today (GET /api/v1/dashboard, docs/dashboard.md):
// each figure names the API list whose total it is; listRoute turns that
// list into the page that shows it, with the same filter, so a click on a
// figure opens exactly the records it counts.

// The API lists the dashboard names, and the page each opens.
const PAGES = {
  '/incidents': '/patrol/incidents',
  '/findings': '/fourcuts/findings',
  '/cases': '/cases',
  '/campus/notices': '/campus/notices',
  '/fire/reports': '/fire/reports',
}

/**
 * listRoute maps a figure's list ("/incidents?from=…&to=…&category=…") to a
 * router location ({ path, query }); null for a list no page shows. The
 * pages read these queries back (Incidents: from, to, category, status;
 * Findings: engine and the created/confirmed/cut bounds; Cases: status;
 * Campus notices and fire reports: status=overdue).
 */
export function listRoute(list) {
  if (typeof list !== 'string') return null
  const i = list.indexOf('?')
  const path = i < 0 ? list : list.slice(0, i)
  const page = PAGES[path]
  if (!page) return null
  const query = Object.fromEntries(new URLSearchParams(i < 0 ? '' : list.slice(i + 1)))
  if (path === '/incidents') {
    // The incidents page's status filter: "open" for not closed, "all"
    // otherwise (its own default is open).
    const open = query.open === 'true'
    delete query.open
    query.status = open ? 'open' : 'all'
  }
  return { path: page, query }
}

// The events after which a figure may have changed; the panel reads the
// dashboard again (throttled) when one comes.
export const DASHBOARD_EVENTS = ['incident.created', 'incident.dispatched', 'incident.arrived', 'incident.closed',
  'finding.created', 'finding.updated', 'finding.withdrawn', 'case.created', 'case.updated', 'campus.overdue', 'cutlist.overdue']

/** hourBars turns the dashboard's by_hour into the chart's 24 values. */
export function hourBars(byHour) {
  const out = new Array(24).fill(0)
  for (const h of byHour || []) if (h && h.hour >= 0 && h.hour < 24) out[h.hour] = h.value || 0
  return out
}

/** currentHour is the China hour of the day at ms (the bar to mark). */
export function currentHour(ms) {
  return new Date(ms + 8 * 3600 * 1000).getUTCHours()
}

// The period report's figures (zhudun.FigureDefs, section by section, in
// the briefing's order) and the stats page each opens. The command
// screen's band shows the COMPACT ones; the page shows them all.
export const SUMMARY_FIGURES = [
  ['cyber', ['cases_handled', 'people_coercive'], '/cases/stats'],
  ['fourcuts', ['cases_solved', 'suspects_caught', 'funds_seized_fen', 'sim_cards_seized', 'devices_seized', 'malicious_accounts'], '/cases/stats'],
  ['fire', ['reports', 'corrected', 'penalties'], '/fire/stats'],
  ['campus', ['hazards', 'schools_involved', 'rectified_on_spot', 'notices'], '/campus/stats'],
  ['patrol', ['incidents', 'rescues_services', 'disputes_mediated', 'criminal_cases', 'public_order_cases'], '/patrol/stats'],
  ['zhudun', ['smart_communities', 'video_coverage_pct'], '/zhudun/stats'],
]
// (section_figure, as the i18n keys today.figure.* name them)
export const COMPACT_FIGURES = ['patrol_incidents', 'patrol_criminal_cases', 'patrol_public_order_cases', 'cyber_cases_handled',
  'fourcuts_cases_solved', 'fourcuts_malicious_accounts', 'campus_hazards', 'fire_reports', 'zhudun_video_coverage_pct']

/** trendRows picks the figures out of a summary, in the briefing's order
 * (only COMPACT_FIGURES when compact), skipping absent ones. */
export function trendRows(summary, compact = true) {
  const out = []
  for (const [section, names, page] of SUMMARY_FIGURES) {
    for (const name of names) {
      const key = section + '.' + name
      if (compact && !COMPACT_FIGURES.includes(section + '_' + name)) continue
      const v = summary && summary[section] && summary[section][name]
      if (v) out.push({ section, name, page, key, value: v.value, last_year: v.last_year, change_pct: v.change_pct, unit: v.unit })
    }
  }
  return out
}

/** figureValue writes a figure as the briefing does: money from fen in
 * yuan with two decimals, percentages with one, counts as they are. */
export function figureValue(unit, v) {
  if (typeof v !== 'number') return ''
  if (unit === 'pct') return v.toFixed(1) + '%'
  if (unit === 'fen') return (v / 100).toFixed(2)
  return String(v)
}

/** changeText writes a year-on-year change: "+12.5%", "−3.0%", "—" when there is none. */
export function changeText(pct) {
  if (pct === null || pct === undefined || Number.isNaN(pct)) return '—'
  const v = Math.abs(pct).toFixed(1)
  return (pct > 0 ? '+' : pct < 0 ? '−' : '') + v + '%'
}

/** yearToDate is the period report's query for the year to date, in
 * China days; for an earlier year given, that whole year. */
export function yearToDate(ms, year) {
  const day = new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10)
  const y = Number(year)
  if (Number.isInteger(y) && y >= 2000 && y < Number(day.slice(0, 4))) return { from: y + '-01-01', to: y + '-12-31' }
  return { from: day.slice(0, 4) + '-01-01', to: day }
}

/** periodFromQuery reads a stats page's period from its route query
 * (?from=YYYY-MM-DD&to=YYYY-MM-DD, as the trends link it); null when absent
 * or not a valid period. */
export function periodFromQuery(q) {
  const day = (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v + 'T00:00:00Z'))
  if (!q || !day(q.from) || !day(q.to) || q.from > q.to) return null
  return [q.from, q.to]
}
