// The cases pages' pure logic (src/cases.js): yuan and fen, the
// lifecycle's next steps, the list's query, saved searches, seizure
// bodies. Expected values written by hand.
import { describe, it, expect } from 'vitest'
import {
  alertQuery, alertFiltersFromQuery,
  normalizeYuan, yuanToFen, fenToYuan, formatCount, nextSteps, needsReason, canMerge, validReason, caseQuery, caseFiltersFromQuery, emptyCaseFilters,
  loadSearches, saveSearch, deleteSearch, seizureBody, splitItems, entityGraph, parseCaseRef, caseRef,
  formatBytes, uploadProblem, uploadError, editBody, MAX_ATTACHMENT_BYTES,
} from '../src/cases.js'

function memStorage() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m }
}

describe('yuan and fen', () => {
  it('normalizes what is typed to the API text with two decimals', () => {
    expect(normalizeYuan('1980000')).toBe('1980000.00')
    expect(normalizeYuan('1,980,000.5')).toBe('1980000.50')
    expect(normalizeYuan(' 0.1 ')).toBe('0.10')
    expect(normalizeYuan('\u00a512.34')).toBe('12.34')
    expect(normalizeYuan('007.05')).toBe('7.05')
    expect(normalizeYuan('0')).toBe('0.00')
    expect(normalizeYuan('9999999999999.99')).toBe('9999999999999.99')
  })

  it('refuses what the server refuses', () => {
    for (const bad of ['', '1.005', '-1', '+1', '1e3', '1.', '.5', 'abc', '12345678901234', '1.2.3', null, undefined]) {
      expect(normalizeYuan(bad), String(bad)).toBe(null)
      expect(yuanToFen(bad), String(bad)).toBe(null)
    }
  })

  it('turns yuan into integer fen without floating point', () => {
    expect(yuanToFen('1980000.00')).toBe(198000000)
    expect(yuanToFen('0.1')).toBe(10)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen('1.10')).toBe(110)
    expect(yuanToFen('0.29')).toBe(29) // 0.29 * 100 is 28.999999999999996 in floating point
    expect(yuanToFen('1234567.89')).toBe(123456789)
    expect(yuanToFen('0')).toBe(0)
  })

  it('writes fen as yuan', () => {
    expect(fenToYuan(198000000)).toBe('1980000.00')
    expect(fenToYuan(198000000, true)).toBe('1,980,000.00')
    expect(fenToYuan(7)).toBe('0.07')
    expect(fenToYuan(110)).toBe('1.10')
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(-150)).toBe('-1.50')
    expect(fenToYuan(123456789, true)).toBe('1,234,567.89')
    expect(fenToYuan(null)).toBe('')
    expect(fenToYuan('x')).toBe('')
    expect(fenToYuan(-123456789, true)).toBe('-1,234,567.89')
    expect(fenToYuan(99, true)).toBe('0.99')
    expect(fenToYuan(100000, true)).toBe('1,000.00')
  })
  it('writes counts with thousands separators, as the statistics page shows them', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(999)).toBe('999')
    expect(formatCount(1000)).toBe('1,000')
    expect(formatCount(1210)).toBe('1,210')
    expect(formatCount(1200000)).toBe('1,200,000')
    expect(formatCount(-1234)).toBe('-1,234')
    expect(formatCount('598')).toBe('598')
    expect(formatCount(2.5)).toBe('2.5')
    expect(formatCount(null)).toBe('')
    expect(formatCount(undefined)).toBe('')
  })
})

describe('lifecycle', () => {
  it('shows only the valid next steps', () => {
    expect(nextSteps('received')).toEqual(['filed', 'closed_unfiled'])
    expect(nextSteps('filed')).toEqual(['solved', 'revoked'])
    expect(nextSteps('solved')).toEqual(['transferred'])
    expect(nextSteps('transferred')).toEqual([])
    expect(nextSteps('closed_unfiled')).toEqual([])
    expect(nextSteps('revoked')).toEqual([])
    expect(nextSteps('merged')).toEqual([])
    expect(nextSteps('nonsense')).toEqual([])
  })

  it('asks a reason for not filing and revoking only', () => {
    expect(needsReason('closed_unfiled')).toBe(true)
    expect(needsReason('revoked')).toBe(true)
    expect(needsReason('filed')).toBe(false)
    expect(needsReason('solved')).toBe(false)
    expect(needsReason('transferred')).toBe(false)
  })

  it('merges open cases only', () => {
    expect(canMerge('received')).toBe(true)
    expect(canMerge('filed')).toBe(true)
    expect(canMerge('solved')).toBe(false)
    expect(canMerge('merged')).toBe(false)
  })

  it('checks reasons as the server (4 to 500 characters)', () => {
    expect(validReason('')).toBe(false)
    expect(validReason('', false)).toBe(true)
    expect(validReason('abc')).toBe(false)
    expect(validReason('abc', false)).toBe(false)
    expect(validReason('  abcd  ')).toBe(true)
    expect(validReason('x'.repeat(500))).toBe(true)
    expect(validReason('x'.repeat(501))).toBe(false)
  })

  it('names a case by number, else receipt', () => {
    expect(caseRef({ receipt: 'SA2026-000001' })).toBe('SA2026-000001')
    expect(caseRef({ receipt: 'SA2026-000001', number: 'N1' })).toBe('N1')
    expect(caseRef(null)).toBe('')
  })
})

describe('caseQuery', () => {
  it('leaves empty filters out and keeps the page', () => {
    expect(caseQuery(emptyCaseFilters())).toEqual({ offset: '0', limit: '50' })
    expect(caseQuery(emptyCaseFilters(), { offset: 100, limit: 20 })).toEqual({ offset: '100', limit: '20' })
    expect(caseQuery(emptyCaseFilters(), null)).toEqual({})
  })

  it('passes every filter the API takes, trimmed', () => {
    const f = { status: 'filed', type: 'telecom_fraud', campaign: 3, dept: ' WAZD ', q: ' 0123 ' }
    expect(caseQuery(f, { offset: 50, limit: 50 })).toEqual({
      status: 'filed', type: 'telecom_fraud', campaign: '3', dept: 'WAZD', q: '0123', offset: '50', limit: '50',
    })
  })

  it('drops a campaign that is no id', () => {
    expect(caseQuery({ ...emptyCaseFilters(), campaign: 0 }, null)).toEqual({})
    expect(caseQuery({ ...emptyCaseFilters(), campaign: 'x' }, null)).toEqual({})
  })

  it('reads the filters back from the route', () => {
    expect(caseFiltersFromQuery({ status: 'solved', campaign: '7', q: 'a', page: '2' }))
      .toEqual({ status: 'solved', type: '', campaign: 7, dept: '', q: 'a' })
    expect(caseFiltersFromQuery({ campaign: 'abc' }).campaign).toBe('')
  })
})

describe('saved searches', () => {
  it('saves, replaces by name, sorts, deletes, per user', () => {
    const s = memStorage()
    expect(loadSearches('a', s)).toEqual([])
    saveSearch('a', 'zeta', { status: 'filed' }, s)
    const list = saveSearch('a', 'alpha', { campaign: 2, q: 'x' }, s)
    expect(list.map((x) => x.name)).toEqual(['alpha', 'zeta'])
    expect(list[0].filters).toEqual({ status: '', type: '', campaign: 2, dept: '', q: 'x' })
    saveSearch('a', 'zeta', { status: 'solved' }, s)
    expect(loadSearches('a', s).find((x) => x.name === 'zeta').filters.status).toBe('solved')
    expect(loadSearches('a', s)).toHaveLength(2)
    expect(loadSearches('b', s)).toEqual([])
    expect(deleteSearch('a', 'alpha', s).map((x) => x.name)).toEqual(['zeta'])
    expect(saveSearch('a', '   ', { status: 'x' }, s)).toHaveLength(1)
  })

  it('survives garbage in storage', () => {
    const s = memStorage()
    s.setItem('zhudun.caseSearches.a', '{not json')
    expect(loadSearches('a', s)).toEqual([])
    s.setItem('zhudun.caseSearches.a', JSON.stringify([{ name: 'ok', filters: {} }, { name: 1 }, null]))
    expect(loadSearches('a', s)).toEqual([{ name: 'ok', filters: {} }])
  })
})

describe('seizureBody', () => {
  const funds = { kind: 'funds', amount: '1,980,000', account: '6222020200001234567', bank: 'ICBC', state: 'frozen', frozen_on: '2021-06-01', seized_on: '', returned_on: '', count: 1, items: 'x', device_type: '', slots: 4 }

  it('sends funds as yuan text with two decimals and only their fields', () => {
    expect(seizureBody(funds)).toEqual({ body: { kind: 'funds', amount: '1980000.00', account: '6222020200001234567', bank: 'ICBC', state: 'frozen', frozen_on: '2021-06-01' } })
  })

  it('names the field that is wrong', () => {
    expect(seizureBody({ ...funds, amount: '1.005' })).toEqual({ field: 'amount' })
    expect(seizureBody({ ...funds, amount: '0' })).toEqual({ field: 'amount' })
    expect(seizureBody({ ...funds, bank: ' ' })).toEqual({ field: 'bank' })
    expect(seizureBody({ ...funds, state: 'returned' })).toEqual({ field: 'returned_on' })
    expect(seizureBody({ kind: 'devices', device_type: 'goip', count: 2, seized_on: '2021-06-01' })).toEqual({ field: 'slots' })
    expect(seizureBody({ kind: 'sim_cards', count: 1, items: '13800000001 13800000002', seized_on: '2021-06-01' })).toEqual({ field: 'items' })
    expect(seizureBody({ kind: 'accounts', count: 5, seized_on: '' })).toEqual({ field: 'seized_on' })
    expect(seizureBody({ kind: 'sim_cards', count: 0, seized_on: '2021-06-01' })).toEqual({ field: 'count' })
  })

  it('sends countable kinds with their count and items', () => {
    expect(seizureBody({ kind: 'sim_cards', count: 1210, items: '13800000001,\n13800000002', seized_on: '2021-06-01', amount: '', bank: '', slots: 8 }))
      .toEqual({ body: { kind: 'sim_cards', count: 1210, items: ['13800000001', '13800000002'], seized_on: '2021-06-01' } })
    expect(seizureBody({ kind: 'devices', device_type: 'cat_pool', slots: 32, count: 1, items: '', seized_on: '2021-06-01', note: ' rack 2 ' }))
      .toEqual({ body: { kind: 'devices', count: 1, seized_on: '2021-06-01', device_type: 'cat_pool', slots: 32, note: 'rack 2' } })
    expect(seizureBody({ kind: 'devices', device_type: 'phone', slots: 32, count: 1, seized_on: '2021-06-01' }))
      .toEqual({ body: { kind: 'devices', count: 1, seized_on: '2021-06-01', device_type: 'phone' } })
    expect(seizureBody({ kind: 'accounts', count: 1200000, seized_on: '2021-06-01' }))
      .toEqual({ body: { kind: 'accounts', count: 1200000, seized_on: '2021-06-01' } })
  })

  it('splits pasted items', () => {
    expect(splitItems(' a, b\n\nc;d\u3000 ')).toEqual(['a', 'b', 'c', 'd'])
    expect(splitItems('a\uff0cb\uff1bc')).toEqual(['a', 'b', 'c'])
    expect(splitItems('')).toEqual([])
  })
})

describe('entities and references', () => {
  it('ties each entity to its gang once', () => {
    const g = entityGraph([
      { category: 'black_card', entity: '138', gang: 'G-1' },
      { category: 'black_device', entity: '8612', gang: 'G-1' },
      { category: 'black_card', entity: '139', gang: '' },
    ])
    expect(g.nodes.map((n) => n.id)).toEqual(['black_card|138', 'gang|G-1', 'black_device|8612', 'black_card|139'])
    expect(g.edges).toEqual([{ source: 'gang|G-1', target: 'black_card|138' }, { source: 'gang|G-1', target: 'black_device|8612' }])
  })

  it('tells an id from a number', () => {
    expect(parseCaseRef('12')).toEqual({ id: 12 })
    expect(parseCaseRef(' #7 ')).toEqual({ id: 7 })
    expect(parseCaseRef('SA2026-000001')).toEqual({ number: 'SA2026-000001' })
    expect(parseCaseRef('  ')).toBe(null)
  })
})

describe('attachments', () => {
  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MB')
  })
  it('stops a file over the limit before sending it', () => {
    expect(uploadProblem({ size: MAX_ATTACHMENT_BYTES })).toBe('')
    expect(uploadProblem({ size: MAX_ATTACHMENT_BYTES + 1 })).toBe('size')
    expect(uploadProblem({ size: 0 })).toBe('empty')
    expect(uploadProblem(null)).toBe('empty')
  })
  it('names a refused upload', () => {
    expect(uploadError({ status: 413, message: 'a file is at most 20 MiB' })).toBe('tooLarge')
    expect(uploadError({ status: 413, message: 'a case holds at most 200 files and 1024 MiB: delete some first' })).toBe('caseFull')
    expect(uploadError({ status: 400, field: 'file', message: 'HTML, SVG or XML files are not accepted' })).toBe('refused')
    expect(uploadError({ status: 400, field: 'reason' })).toBe('')
    expect(uploadError({ status: 404 })).toBe('')
  })
})

describe('editBody', () => {
  const c = { title: '猫池窝点案', type: 'helping_crime', dept: 'WAZD', lead_id: 7, team: ['li', 'wang'] }
  const users = [{ id: 7, username: 'zhang' }, { id: 8, username: 'li' }, { id: 9, username: 'wang' }, { id: 10, username: 'zhao' }]
  const same = { title: ' 猫池窝点案 ', type: 'helping_crime', dept: 'WAZD', lead: 7, team: [9, 8] }
  it('sends nothing when nothing changed (team as a set, title trimmed)', () => {
    expect(editBody(c, same, users)).toEqual({ body: null })
  })
  it('sends only what changed', () => {
    expect(editBody(c, { ...same, title: '新名称', dept: 'ZAZD' }, users)).toEqual({ body: { title: '新名称', dept: 'ZAZD' } })
    expect(editBody(c, { ...same, type: 'telecom_fraud' }, users)).toEqual({ body: { type: 'telecom_fraud' } })
    expect(editBody(c, { ...same, team: [8, 10] }, users)).toEqual({ body: { team: [8, 10] } })
  })
  it('clears the lead and keeps the lead out of the team', () => {
    expect(editBody(c, { ...same, lead: '' }, users)).toEqual({ body: { lead: 0 } })
    expect(editBody(c, { ...same, lead: 8, team: [8, 9] }, users)).toEqual({ body: { lead: 8, team: [9] } })
  })
  it('refuses a title out of bounds', () => {
    expect(editBody(c, { ...same, title: ' 案 ' }, users)).toEqual({ field: 'title' })
    expect(editBody(c, { ...same, title: '长'.repeat(201) }, users)).toEqual({ field: 'title' })
  })
  it('without the users list sends no lead nor team', () => {
    expect(editBody(c, { ...same, lead: 10, team: [] }, null)).toEqual({ body: null })
  })
})

describe('bulk import', async () => {
  const { templateURL, isImportFile, importPath, importCountRows } = await import('../src/cases.js')
  it('links the templates', () => {
    expect(templateURL('')).toBe('/api/v1/cases/import/template')
    expect(templateURL('people')).toBe('/api/v1/cases/import/template?format=csv&kind=people')
  })
  it('takes .xlsx and .csv only', () => {
    expect(isImportFile('台账2025.XLSX')).toBe(true)
    expect(isImportFile('people.csv')).toBe(true)
    expect(isImportFile('old.xls')).toBe(false)
    expect(isImportFile('')).toBe(false)
  })
  it('names the file and a CSV kind in the path', () => {
    expect(importPath('台账 2025.xlsx', 'people')).toBe('/cases/import?name=%E5%8F%B0%E8%B4%A6%202025.xlsx')
    expect(importPath('v.csv', 'people')).toBe('/cases/import?name=v.csv&kind=people')
    expect(importPath('v.csv', '')).toBe('/cases/import?name=v.csv')
  })
  it('lists the counts in the kinds order', () => {
    expect(importCountRows({ people: { stored: 3 }, cases: { stored: 1, skipped: 2 } })).toEqual([
      { kind: 'cases', stored: 1, skipped: 2 }, { kind: 'people', stored: 3, skipped: 0 },
      { kind: 'measures', stored: 0, skipped: 0 }, { kind: 'seizures', stored: 0, skipped: 0 },
    ])
    expect(importCountRows(null).map((r) => r.stored)).toEqual([0, 0, 0, 0])
  })
})

describe('alerts page filters', () => {
  it('opens on the open alerts and keeps the address short', () => {
    expect(alertFiltersFromQuery({})).toEqual({ state: 'open', dept: '' })
    expect(alertFiltersFromQuery({ state: 'closed', dept: 'SB1' })).toEqual({ state: 'closed', dept: 'SB1' })
    expect(alertFiltersFromQuery({ state: 'all' })).toEqual({ state: '', dept: '' })
    expect(alertFiltersFromQuery({ state: 'bogus' })).toEqual({ state: 'open', dept: '' })
    expect(alertQuery({ state: 'open', dept: '' }, null)).toEqual({})
    expect(alertQuery({ state: '', dept: 'SB1' }, null)).toEqual({ state: 'all', dept: 'SB1' })
    expect(alertQuery({ state: 'closed', dept: '' }, null)).toEqual({ state: 'closed' })
  })
  it('asks the API for a state only when one is chosen', () => {
    expect(alertQuery({ state: 'open', dept: '' })).toEqual({ state: 'open', offset: '0', limit: '50' })
    expect(alertQuery({ state: '', dept: ' SB1 ' }, { offset: 50, limit: 50 })).toEqual({ dept: 'SB1', offset: '50', limit: '50' })
  })
})
