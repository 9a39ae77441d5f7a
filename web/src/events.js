// Human-readable lines for server events and audit actions.
import { t, te } from './i18n/index.js'
import { codeKey } from './constants.js'
import { categoryLabel, incidentStatusLabel, unitStatusLabel } from './patrol.js'
import { securityEventLabel } from './security.js'
import { label as fourcutsLabel } from './fourcuts.js'

/** actionLabel names an audit action ("user.create" → its label), or the code itself. */
export function actionLabel(action) {
  const k = `actions.${codeKey(action)}`
  return te(k) ? t(k) : action
}

export function resultLabel(r) {
  const k = `result.${r}`
  return te(k) ? t(k) : r
}

/** eventTitle names an event type. */
export function eventTitle(type) {
  const k = `events.${codeKey(type)}`
  return te(k) ? t(k) : type
}

/** eventSummary describes what an event is about. */
export function eventSummary(ev) {
  const d = ev.data || {}
  switch (String(ev.type).split('.')[0]) {
    case 'user':
      return [d.name, d.username && `(${d.username})`, d.dept_name].filter(Boolean).join(' ')
    case 'dept':
      return [d.name, d.code && `(${d.code})`].filter(Boolean).join(' ')
    case 'role':
      return [d.name, d.id && `(${d.id})`].filter(Boolean).join(' ')
    case 'incident':
      return [`#${d.id}`, categoryLabel(d.category, d.category_name), d.address, d.station_name, incidentStatusLabel(d.status), d.unit_callsign && `→ ${d.unit_callsign}`].filter(Boolean).join(' ')
    case 'unit':
      return [d.callsign, d.station_name, unitStatusLabel(d.status_label || d.status)].filter(Boolean).join(' ')
    case 'grid':
      return [d.station, Array.isArray(d.grids) && t('patrol.gridCount', { n: d.grids.length })].filter(Boolean).join(' ')
    case 'alert':
      return [securityEventLabel(d.event || ''), d.subject, d.client_addr && d.client_addr !== d.subject ? d.client_addr : ''].filter(Boolean).join(' ')
    case 'finding':
    case 'lead':
    case 'cutlist':
      return [d.id && `#${d.id}`, d.category && fourcutsLabel('category', d.category), d.entity, d.gang].filter(Boolean).join(' ')
    case 'audit':
      return [d.username, actionLabel(d.action || ''), d.object_id, d.result && d.result !== 'ok' ? `[${resultLabel(d.result)}]` : ''].filter(Boolean).join(' ')
  }
  return ''
}
