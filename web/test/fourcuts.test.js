// The Four Cuts pages' pure logic (src/fourcuts.js): the filter bar as the
// list's query, the evidence in plain words, the review's body. Expected
// values written by hand.
import { describe, it, expect, vi, afterEach } from 'vitest'
import {
  emptyFilters, findingQuery, queryString, exportURL, nextDay, formatEvidence, formatWindow, signalTitles,
  reviewBody, reviewPath, validReason, canReview, throttle, sortKey, allowBody, cutTotals, isOverdue, num, filtersFromQuery, prevDay, deadlineText,
} from '../src/fourcuts.js'
import { describeSignal, describeLimit } from '../src/signals.js'

describe('findingQuery', () => {
  it('leaves empty filters out and keeps the page', () => {
    expect(findingQuery(emptyFilters())).toEqual({ offset: '0', limit: '50' })
    expect(findingQuery(emptyFilters(), { offset: 100, limit: 20 })).toEqual({ offset: '100', limit: '20' })
  })

  it('passes every filter, China days as +08:00 bounds (to excluded)', () => {
    const f = {
      ...emptyFilters(), category: 'black_card', status: 'confirmed', engine: 'any', min_score: 0.75, signal: ' imsi_per_imei ',
      source: 'cmcc', gang: 'G-000007', region: 'WAZD', first: ['2026-11-01', '2026-11-30'], last: ['2026-12-31', '2026-12-31'], sort: '+score',
    }
    expect(findingQuery(f, { offset: 50, limit: 50 })).toEqual({
      category: 'black_card', status: 'confirmed', engine: 'any', signal: 'imsi_per_imei', source: 'cmcc', gang: 'G-000007',
      region: 'WAZD', sort: '+score', min_score: '0.75',
      first_from: '2026-11-01T00:00:00+08:00', first_to: '2026-12-01T00:00:00+08:00',
      last_from: '2026-12-31T00:00:00+08:00', last_to: '2027-01-01T00:00:00+08:00',
      offset: '50', limit: '50',
    })
  })

  it('a zero minimum score is no filter', () => {
    expect(findingQuery({ ...emptyFilters(), min_score: 0 }, null, false)).toEqual({})
  })

  it('builds the export link without the page', () => {
    const f = { ...emptyFilters(), category: 'black_account', sort: '+last_seen', first: ['2026-02-28', '2026-02-28'] }
    expect(exportURL(f, 'xlsx')).toBe('/api/v1/findings/export?category=black_account&sort=%2Blast_seen'
      + '&first_from=2026-02-28T00%3A00%3A00%2B08%3A00&first_to=2026-03-01T00%3A00%3A00%2B08%3A00&format=xlsx')
    expect(exportURL(emptyFilters(), 'csv')).toBe('/api/v1/findings/export?format=csv')
    expect(queryString({})).toBe('')
  })

  it('nextDay crosses months, years and leap days', () => {
    expect(nextDay('2026-01-31')).toBe('2026-02-01')
    expect(nextDay('2028-02-28')).toBe('2028-02-29')
    expect(nextDay('2026-12-31')).toBe('2027-01-01')
  })

  it('reads the filters back from the address', () => {
    const f = {
      ...emptyFilters(), category: 'black_line', status: 'new', min_score: 0.5, gang: 'G-000002',
      first: ['2026-11-01', '2026-11-30'], last: ['2026-03-01', '2026-03-01'], sort: '+score',
    }
    expect(filtersFromQuery(findingQuery(f, { offset: 100, limit: 20 }))).toEqual({ filters: f, page: { offset: 100, limit: 20 } })
    expect(filtersFromQuery({})).toEqual({ filters: emptyFilters(), page: { offset: 0, limit: 50 } })
    expect(filtersFromQuery({ min_score: '7', limit: '9999', offset: '-5', first_from: 'x' })).toEqual({ filters: emptyFilters(), page: { offset: 0, limit: 50 } })
    expect(prevDay('2026-03-01')).toBe('2026-02-28')
    expect(prevDay('2027-01-01')).toBe('2026-12-31')
  })

  it('sort keys', () => {
    expect(sortKey('score')).toBe('score')
    expect(sortKey('+first_seen')).toBe('first_seen_asc')
  })
})

describe('evidence in plain words', () => {
  const ev = {
    signal: 'imsi_per_imei', value: 7, threshold: 4, window: '24h', weight: 0.6, detector: 'v3',
    limits: { IMSIPerIMEI: 4, Unknown: 2.5 }, measures: { phones: 12, edges: 30, density: 0.41666 },
  }

  it('in Chinese', () => {
    expect(formatEvidence(ev, 'zh-CN')).toEqual({
      signal: 'imsi_per_imei', title: '一机多卡',
      meaning: '同一设备（IMEI）中出现的卡（IMSI）数量达到阈值，猫池、GoIP 等设备的典型特征。',
      value: '7 张卡', threshold: '4 张卡', window: '24 小时', weight: '0.6',
      limits: [{ name: 'IMSIPerIMEI', label: '一机多卡阈值', value: '4' }, { name: 'Unknown', label: 'Unknown', value: '2.5' }],
      measures: [{ name: 'phones', label: '手机数', value: '12' }, { name: 'edges', label: '联络关系数', value: '30' }, { name: 'density', label: '联络密度', value: '0.417' }],
      detector: 'v3',
    })
  })

  it('in English', () => {
    const x = formatEvidence(ev, 'en')
    expect(x.title).toBe('Cards per device')
    expect(x.value).toBe('7 cards')
    expect(x.window).toBe('24 h')
    expect(x.limits[0]).toEqual({ name: 'IMSIPerIMEI', label: 'cards-per-device threshold', value: '4' })
    expect(x.measures[1]).toEqual({ name: 'edges', label: 'contacts', value: '30' })
  })

  it('an unknown signal shows its name; no window, limits or measures', () => {
    expect(formatEvidence({ signal: 'new_thing', value: 1, threshold: 1, weight: 0.25 }, 'zh-CN')).toEqual({
      signal: 'new_thing', title: 'new_thing', meaning: '', value: '1', threshold: '1', window: '', weight: '0.25', limits: [], measures: [], detector: '',
    })
  })

  it('takes limits as Go would marshal them too', () => {
    expect(formatEvidence({ signal: 'x', limits: [{ Name: 'IMSIPerIMEI', Value: 3 }] }, 'zh-CN').limits).toEqual([{ name: 'IMSIPerIMEI', label: '一机多卡阈值', value: '3' }])
  })

  it('windows', () => {
    expect(formatWindow('30m', 'zh-CN')).toBe('30 分钟')
    expect(formatWindow('7d', 'en')).toBe('7 days')
    expect(formatWindow('90s', 'zh-CN')).toBe('90 秒')
    expect(formatWindow('1h30m', 'zh-CN')).toBe('1h30m')
    expect(formatWindow('', 'zh-CN')).toBe('')
  })

  it('signal titles of a row', () => {
    expect(signalTitles([{ signal: 'imsi_per_imei' }, { signal: 'odd' }], 'zh-CN')).toEqual(['一机多卡', 'odd'])
    expect(signalTitles(null, 'en')).toEqual([])
  })

  it('describeSignal and describeLimit', () => {
    expect(describeSignal('imsi_per_imei', 'en')).toEqual({ title: 'Cards per device', meaning: 'The number of cards (IMSIs) seen in one device (IMEI) reached the threshold, as in cat pools and GoIP gateways.', unit: 'cards' })
    expect(describeSignal('nope', 'en')).toEqual({ title: 'nope', meaning: '', unit: '' })
    expect(describeLimit('IMSIPerIMEI', 'zh-CN')).toBe('一机多卡阈值')
    expect(describeLimit('Nope', 'zh-CN')).toBe('Nope')
  })

  it('numbers to three decimals', () => {
    expect(num(0.1 + 0.2)).toBe('0.3')
    expect(num(2)).toBe('2')
    expect(num(undefined)).toBe('')
  })
})

describe('review', () => {
  it('a confirmation', () => {
    expect(reviewBody({ decision: 'confirm', reason: '  猫池设备，多卡轮换 ', allow: true, expires: '2027-01-01' }))
      .toEqual({ decision: 'confirm', reason: '猫池设备，多卡轮换' })
  })

  it('a dismissal without the allowlist', () => {
    expect(reviewBody({ decision: 'dismiss', reason: '快递公司号码', allow: false, expires: '' }))
      .toEqual({ decision: 'dismiss', reason: '快递公司号码' })
  })

  it('a legitimate user, allowlisted until the end of a China day', () => {
    expect(reviewBody({ decision: 'dismiss', reason: '快递公司号码', allow: true, expires: '2027-06-30' }))
      .toEqual({ decision: 'dismiss', reason: 'legitimate: 快递公司号码', allow: true, allow_expires: '2027-06-30T23:59:59+08:00' })
    expect(reviewBody({ decision: 'dismiss', reason: 'legitimate: 已核实', allow: true, expires: '' }))
      .toEqual({ decision: 'dismiss', reason: 'legitimate: 已核实', allow: true })
  })

  it('reasons of 4 to 500 characters, counted as characters', () => {
    expect(validReason('abc')).toBe(false)
    expect(validReason('已核实否')).toBe(true)
    expect(validReason('   ab  ')).toBe(false)
    expect(validReason('𠀀𠀀𠀀𠀀')).toBe(true) // four characters, eight UTF-16 units
    expect(validReason('x'.repeat(500))).toBe(true)
    expect(validReason('x'.repeat(501))).toBe(false)
    expect(validReason(undefined)).toBe(false)
  })

  it('paths and reviewable statuses', () => {
    expect(reviewPath({ kind: 'finding', id: 42 })).toBe('/findings/42/review')
    expect(reviewPath({ kind: 'gang', gang: 'G-000001' })).toBe('/gangs/G-000001/review')
    expect(reviewPath({ kind: 'findings', ids: [1, 2] })).toBe('/findings/review')
    expect(['new', 'confirmed', 'dismissed', 'cut', 'restored'].map(canReview)).toEqual([true, true, true, false, false])
  })

  it('an allowlist entry', () => {
    expect(allowBody({ entity_type: 'ip', entity: ' 10.0.0.0/24 ', reason: ' 单位出口 ', expires: '2027-01-31' }))
      .toEqual({ entity_type: 'ip', entity: '10.0.0.0/24', reason: '单位出口', expires_at: '2027-01-31T23:59:59+08:00' })
    expect(allowBody({ entity_type: 'msisdn', entity: '13800000000', reason: '本单位号码', expires: '' }))
      .toEqual({ entity_type: 'msisdn', entity: '13800000000', reason: '本单位号码' })
  })
})

describe('cut lists', () => {
  it('totals and overdue rows', () => {
    const rows = [
      { source: 'cmcc', category: 'black_card', confirmed: 3, cut: 10, not_cut: 1, overdue: 2, restored: 1 },
      { source: 'cmcc', category: 'black_device', confirmed: 0, cut: 4, not_cut: 0, overdue: 0, restored: 0 },
    ]
    expect(cutTotals(rows)).toEqual({ confirmed: 3, cut: 14, not_cut: 1, overdue: 2, restored: 1 })
    expect(rows.map(isOverdue)).toEqual([true, false])
  })

  it('the deadline in words', () => {
    expect(deadlineText(48, 'zh-CN')).toBe('48 小时')
    expect(deadlineText(1 / 60, 'zh-CN')).toBe('1 分钟')
    expect(deadlineText(1.25, 'en')).toBe('1.3 h')
    expect(deadlineText(0, 'en')).toBe('')
  })
})

describe('throttle', () => {
  afterEach(() => vi.useRealTimers())
  it('runs at most once a second, the first at once', () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-12-03T10:00:00Z'))
    const fn = vi.fn()
    const th = throttle(fn, 1000)
    th.poke()
    vi.advanceTimersByTime(0)
    expect(fn).toHaveBeenCalledTimes(1)
    for (let i = 0; i < 10; i++) { th.poke(); vi.advanceTimersByTime(50) } // 500 ms of events
    expect(fn).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(500) // a second after the first run
    expect(fn).toHaveBeenCalledTimes(2)
    vi.advanceTimersByTime(5000)
    expect(fn).toHaveBeenCalledTimes(2) // nothing asked since
    th.poke(); th.cancel()
    vi.advanceTimersByTime(2000)
    expect(fn).toHaveBeenCalledTimes(2)
  })
})

describe('labels of the code lists', () => {
  it('exist in both languages', async () => {
    const { messages, lookup } = await import('../src/i18n/index.js')
    const F = await import('../src/fourcuts.js')
    const families = [
      ['fourcuts.category.', F.CATEGORIES], ['fourcuts.status.', F.REVIEW_STATUSES], ['fourcuts.engine.', F.ENGINE_STATES],
      ['fourcuts.entityType.', [...F.ALLOW_ENTITY_TYPES, ...Object.values(F.ENTITY_TYPE_OF)]], ['fourcuts.sort.', F.SORTS.map(F.sortKey)],
      ['fourcuts.window.', ['s', 'm', 'h', 'd']], ['appeal.status.', F.APPEAL_STATUSES], ['events.', F.FINDING_EVENTS.map((e) => e.replace('.', '_'))],
    ]
    const missing = []
    for (const [prefix, list] of families) {
      for (const c of list) for (const loc of ['zh-CN', 'en']) if (lookup(messages[loc], prefix + c) === undefined) missing.push(`${loc} ${prefix}${c}`)
    }
    expect(missing).toEqual([])
  })
})
