// Every label must exist in both languages: a missing or extra key, a key
// used in the sources but not defined, or Chinese text left in the English
// messages or hard-coded in a component fails this test.
import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import zhCN from '../src/i18n/zh-CN.js'
import en from '../src/i18n/en.js'
import { lookup } from '../src/i18n/index.js'
import * as C from '../src/constants.js'

const SRC = join(import.meta.dirname, '..', 'src')
const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/

function keys(obj, prefix = '') {
  const out = []
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') out.push(...keys(v, key))
    else out.push(key)
  }
  return out
}

function files(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...files(p))
    else if (/\.(vue|js)$/.test(name)) out.push(p)
  }
  return out
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
const zhKeys = keys(zhCN)
const enKeys = keys(en)
const sources = files(SRC).filter((p) => !p.includes(join('src', 'i18n')))
const namespaces = new Set(Object.keys(zhCN))
// Codes that look like keys but are data (audit actions, event types).
const codes = new Set([...C.AUDIT_ACTIONS, ...C.EVENT_TYPES, ...C.AUDIT_ACTION_PREFIXES])

describe('i18n', () => {
  it('zh-CN and en have the same keys', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k)), 'keys only in en').toEqual([])
    expect(zhKeys.filter((k) => !enKeys.includes(k)), 'keys missing from en').toEqual([])
  })

  it('every message is a non-empty string with the same placeholders', () => {
    for (const k of zhKeys) {
      const z = lookup(zhCN, k)
      const e = lookup(en, k)
      expect(typeof z === 'string' && z.trim() !== '', `zh-CN ${k}`).toBe(true)
      expect(typeof e === 'string' && e.trim() !== '', `en ${k}`).toBe(true)
      expect(placeholders(e), `placeholders of ${k}`).toEqual(placeholders(z))
    }
  })

  it('English has no untranslated Chinese', () => {
    const bad = enKeys.filter((k) => CJK.test(lookup(en, k)))
    expect(bad).toEqual([])
  })

  it("every key used in the sources exists in both languages", () => {
    const used = new Map()
    for (const f of sources) {
      const text = readFileSync(f, 'utf8')
      // t('a.b'), te('a.b') and every quoted 'ns.key' literal whose first part is a message namespace
      // (route titles, breadcrumbs, notices, policy results all pass keys around as strings).
      for (const m of text.matchAll(/(?<![\w$.])t[e]?\(\s*'([^'$`{]+)'\s*[,)]/g)) used.set(m[1], relative(SRC, f))
      for (const m of text.matchAll(/'([a-zA-Z]+(?:\.[a-zA-Z0-9_]+)+)'/g)) {
        if (namespaces.has(m[1].split('.')[0]) && !codes.has(m[1])) used.set(m[1], relative(SRC, f))
      }
    }
    expect(used.size).toBeGreaterThan(100)
    const missing = []
    for (const [k, f] of used) {
      if (lookup(zhCN, k) === undefined) missing.push(`zh-CN ${k} (${f})`)
      if (lookup(en, k) === undefined) missing.push(`en ${k} (${f})`)
    }
    expect(missing).toEqual([])
  })

  it('every key built from a code list exists in both languages', () => {
    const families = [
      ['kind.', C.DEPT_KINDS], ['scope.', C.SCOPES], ['scopeDesc.', C.SCOPES], ['result.', C.RESULTS],
      ['roles.', C.BUILTIN_ROLES], ['perm.area.', C.PERM_AREAS], ['perm.action.', C.PERM_ACTIONS],
      ['actions.', C.AUDIT_ACTIONS.map(C.codeKey)], ['actionPrefix.', C.AUDIT_ACTION_PREFIXES.map((p) => p.slice(0, -1))],
      ['objectType.', C.OBJECT_TYPES], ['events.', C.EVENT_TYPES.map(C.codeKey)], ['errors.', C.ERROR_CODES],
      ['nav.', C.MODULES], ['placeholder.detail.', C.MODULES], ['notif.state.', C.LIVE_STATES], ['fields.', C.FIELDS], ['auditField.', C.AUDIT_FIELDS],
      ['verifyReason.', C.VERIFY_REASONS.map((r) => r.replace(/\W+/g, '_'))],
      ['patrol.category.', C.INCIDENT_CATEGORIES], ['patrol.source.', C.INCIDENT_SOURCES], ['patrol.outcome.', C.INCIDENT_OUTCOMES],
      ['patrol.incidentStatus.', C.INCIDENT_STATUSES], ['patrol.priority.', C.INCIDENT_PRIORITIES], ['patrol.unitStatus.', C.UNIT_LABELS],
      ['patrol.unitKind.', C.UNIT_KINDS], ['patrol.tier.', C.CANDIDATE_TIERS], ['dispatch.reason.', C.NO_UNIT_REASONS],
    ]
    const missing = []
    for (const [prefix, list] of families) {
      for (const c of list) {
        for (const [name, msgs] of [['zh-CN', zhCN], ['en', en]]) {
          if (lookup(msgs, prefix + c) === undefined) missing.push(`${name} ${prefix}${c}`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it('no component hard-codes Chinese text (it would not switch language)', () => {
    const bad = []
    for (const f of sources) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/<!--.*?-->/g, '')
        if (CJK.test(code)) bad.push(`${relative(SRC, f)}:${i + 1}: ${line.trim()}`)
      })
    }
    expect(bad).toEqual([])
  })
})
