// The audit page shows a row's detail as labelled fields in the reader's
// language, never as English-keyed JSON.
import { describe, it, expect } from 'vitest'
import { detailFields } from '../src/auditDetail.js'
import { setLocale } from '../src/i18n/index.js'

describe('detailFields', () => {
  it('labels keys and values in zh-CN and English', () => {
    setLocale('zh-CN')
    const d = '{"rows":2,"received_at_set":true,"source":"h.csv","category":"dispute","roles":["commander","huji_check"]}'
    expect(detailFields(d)).toEqual([
      { key: 'rows', label: '行数', value: '2' },
      { key: 'received_at_set', label: '指定了接警时间', value: '是' },
      { key: 'source', label: '来源', value: 'h.csv' },
      { key: 'category', label: '警情类别', value: '纠纷 (dispute)' },
      { key: 'roles', label: '角色', value: '指挥员、huji_check' },
    ])
    setLocale('en')
    expect(detailFields(d).map((f) => f.label)).toEqual(['Rows', 'Received time set', 'Source', 'Category', 'Roles'])
    expect(detailFields(d)[1].value).toBe('yes')
    setLocale('zh-CN')
  })
  it('labels the path of a change', () => {
    setLocale('zh-CN')
    expect(detailFields({ from: { name: '甲' }, to: { name: '乙' } })).toEqual([
      { key: 'from.name', label: '变更前 · 名称', value: '甲' },
      { key: 'to.name', label: '变更后 · 名称', value: '乙' },
    ])
    expect(detailFields(null)).toEqual([])
  })
})
