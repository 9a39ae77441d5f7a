// An audit row's detail as labelled fields: the server writes it as JSON
// with English keys; the audit page shows each key by its label in the
// current language and each value as a reader would write it.
import { t, te } from './i18n/index.js'

const label = (k) => (te('auditField.' + k) ? t('auditField.' + k) : k)

// Value families whose codes have labels of their own.
const VALUE_FAMILIES = {
  category: 'patrol.category.', outcome: 'patrol.outcome.', source: 'patrol.source.', priority: 'patrol.priority.',
  scope: 'scope.', kind: 'kind.', status: 'patrol.unitStatus.', label: 'patrol.unitStatus.',
}

function value(k, v) {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return t(v ? 'auditField.yes' : 'auditField.no')
  const fam = VALUE_FAMILIES[k]
  if (fam && (typeof v === 'string' || typeof v === 'number') && te(fam + v)) return `${t(fam + v)} (${v})`
  if (k === 'roles' && Array.isArray(v)) return v.map((r) => (te('roles.' + r) ? t('roles.' + r) : r)).join(t('audit.listSep'))
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return v.length ? v.join(t('audit.listSep')) : '—'
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  return JSON.stringify(v)
}

/** detailFields flattens a detail (JSON text or object) into [{key, label, value}]; nested objects label their path. */
export function detailFields(detail) {
  let d = detail
  if (d == null || d === '') return []
  if (typeof d === 'string') { try { d = JSON.parse(d) } catch { return [{ key: '', label: '', value: String(detail) }] } }
  if (typeof d !== 'object' || Array.isArray(d)) return [{ key: '', label: '', value: value('', d) }]
  const out = []
  const walk = (obj, keys, labels) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === 'object' && !Array.isArray(v) && keys.length < 2) walk(v, [...keys, k], [...labels, label(k)])
      else out.push({ key: [...keys, k].join('.'), label: [...labels, label(k)].join(' · '), value: value(k, v) })
    }
  }
  walk(d, [], [])
  return out
}
