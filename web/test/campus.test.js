// The campus pages' logic: the school edit form and its PUT body, the
// group and round bodies, the map's point styles and counts.
import { describe, it, expect } from 'vitest'
import { schoolForm, schoolPayload, groupForm, groupPayload, roundPayload, pointStyle, statusCounts, calendarDay, backEntryInstant } from '../src/campus.js'

const school = {
  id: 7, code: 'S001', name: '历下实验小学', type: 'primary', private: false, district: '370102', station: 'ST1', address: '历下区文化东路1号',
  lon: 117.05, lat: 36.66, students: 800, staff: 60, security_staff: 2,
  contacts: [{ id: 31, role: '安保负责人', name: '王建国', phone_masked: '139****0001' }],
}

describe('school edit', () => {
  it('keeps a contact by its id and sends no phone unless one is typed', () => {
    const f = schoolForm(school)
    expect(f.contacts).toEqual([{ id: 31, role: '安保负责人', name: '王建国', phone: '', mask: '139****0001' }])
    f.name = ' 历下实验小学（东校区） '
    f.students = '912'
    f.contacts.push({ id: 0, role: '校长', name: '李明', phone: '13905310002', mask: '' })
    expect(schoolPayload(f)).toEqual({
      code: 'S001', name: '历下实验小学（东校区）', type: 'primary', private: false, district: '370102', station: 'ST1', address: '历下区文化东路1号',
      lon: 117.05, lat: 36.66, students: 912, staff: 60, security_staff: 2,
      contacts: [{ id: 31, role: '安保负责人', name: '王建国' }, { role: '校长', name: '李明', phone: '13905310002' }],
    })
  })
  it('sends no location when either coordinate is empty, and drops blank contact rows', () => {
    const f = schoolForm(school)
    f.lat = ''
    f.contacts.push({ id: 0, role: ' ', name: '', phone: '', mask: '' })
    const b = schoolPayload(f)
    expect(b.lon).toBe(null)
    expect(b.lat).toBe(null)
    expect(b.contacts.length).toBe(1)
  })
  it('starts a new school empty, a primary school', () => {
    const f = schoolForm(null)
    expect(f.type).toBe('primary')
    expect(f.lon).toBe('')
    expect(f.contacts).toEqual([])
  })
})

describe('groups and rounds', () => {
  it('sends an account member by its user id, a named member by its name', () => {
    expect(groupPayload({ name: ' 第一联合督导组 ', members: [
      { agency: 'police', user_id: 0, name: '刘科长', title: '治安' },
      { agency: 'education', user_id: 12, name: '', title: '' },
      { agency: 'fire', user_id: 0, name: '  ', title: '' },
    ] })).toEqual({ name: '第一联合督导组', members: [
      { agency: 'police', name: '刘科长', title: '治安' },
      { agency: 'education', name: '', title: '', user_id: 12 },
    ] })
  })
  it('reads back an account member without repeating its username as the name', () => {
    const f = groupForm({ name: 'G', members: [{ user_id: 12, username: 'edu1', name: 'edu1', agency: 'education', title: '' }, { name: '刘科长', agency: 'police', title: '' }] })
    expect(f.members).toEqual([{ agency: 'education', user_id: 12, name: '', title: '' }, { agency: 'police', user_id: 0, name: '刘科长', title: '' }])
  })
  it('plans each school once, mixed by default', () => {
    expect(roundPayload({ name: ' 春季 ', group_id: 3, mode: '', start_day: '2026-03-01', end_day: '2026-03-31', schools: [5, 6, 5] }))
      .toEqual({ name: '春季', group_id: 3, mode: 'mixed', start_day: '2026-03-01', end_day: '2026-03-31', schools: [5, 6] })
  })
})

describe('map points', () => {
  it('draws overdue red and largest, open orange, the rest blue', () => {
    expect(pointStyle({ status: 'overdue' })).toMatchObject({ fillColor: '#d03030', radius: 7 })
    expect(pointStyle({ status: 'open' })).toMatchObject({ fillColor: '#e6a23c', radius: 6 })
    expect(pointStyle({ status: 'ok' })).toMatchObject({ fillColor: '#409eff', radius: 4 })
    expect(pointStyle({ status: 'weird' }).fillColor).toBe('#409eff')
  })
  it('counts by status', () => {
    expect(statusCounts([{ status: 'ok' }, { status: 'overdue' }, { status: 'ok' }, { status: 'open' }, {}])).toEqual({ overdue: 1, open: 1, ok: 3 })
  })
})

describe('phone layout', () => {
  it('takes the drawer and cards below 768 px', async () => {
    const { isNarrow } = await import('../src/composables.js')
    expect(isNarrow(375)).toBe(true)
    expect(isNarrow(767)).toBe(true)
    expect(isNarrow(768)).toBe(false)
    expect(isNarrow(1280)).toBe(false)
  })
})

describe('back-entry dates', () => {
  it('sends no instant for today and the last second of an earlier day in Beijing', () => {
    expect(backEntryInstant('2026-12-04', '2026-12-04')).toBeUndefined()
    expect(backEntryInstant('', '2026-12-04')).toBeUndefined()
    expect(backEntryInstant('2021-05-10', '2026-12-04')).toBe('2021-05-10T23:59:59+08:00')
  })
  it('reads a picker cell as its calendar day', () => {
    expect(calendarDay(new Date(2021, 4, 9))).toBe('2021-05-09')
    expect(calendarDay(new Date(2026, 11, 31))).toBe('2026-12-31')
  })
})
