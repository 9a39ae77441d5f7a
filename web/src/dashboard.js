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

// The year-to-date figures the dashboard's trends show, from the period
// report (GET /reports/summary): section, figure, and the stats page each
// opens (with the same period).
export const TREND_FIGURES = [
  { section: 'patrol', name: 'incidents', page: '/patrol/stats' },
  { section: 'patrol', name: 'criminal_cases', page: '/patrol/stats' },
  { section: 'patrol', name: 'public_order_cases', page: '/patrol/stats' },
  { section: 'cyber', name: 'cases_handled', page: '/cases/stats' },
  { section: 'fourcuts', name: 'cases_solved', page: '/cases/stats' },
  { section: 'fourcuts', name: 'malicious_accounts', page: '/cases/stats' },
  { section: 'campus', name: 'hazards', page: '/campus/stats' },
  { section: 'fire', name: 'reports', page: '/fire/stats' },
  { section: 'zhudun', name: 'video_coverage_pct', page: '/zhudun/stats' },
]

/** trendRows picks TREND_FIGURES out of a summary, in order, skipping absent ones. */
export function trendRows(summary) {
  const out = []
  for (const f of TREND_FIGURES) {
    const v = summary && summary[f.section] && summary[f.section][f.name]
    if (v) out.push({ ...f, key: f.section + '.' + f.name, value: v.value, last_year: v.last_year, change_pct: v.change_pct, unit: v.unit })
  }
  return out
}

/** changeText writes a year-on-year change: "+12.5%", "−3.0%", "—" when there is none. */
export function changeText(pct) {
  if (pct === null || pct === undefined || Number.isNaN(pct)) return '—'
  const v = Math.abs(pct).toFixed(1)
  return (pct > 0 ? '+' : pct < 0 ? '−' : '') + v + '%'
}

/** yearToDate is the period report's query for the year to date, in China days. */
export function yearToDate(ms) {
  const day = new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10)
  return { from: day.slice(0, 4) + '-01-01', to: day }
}
