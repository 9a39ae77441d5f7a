// The 铸盾 pages' logic: the community form's bodies, the rule editor.
import { describe, it, expect } from 'vitest'
import { communityForm, communityPayload, ruleForm, rulePayload, weightSum, canEditRule, roadShare, shareColour, inBox, padBox, layerCovers } from '../src/shield.js'

const community = {
  id: 9, code: 'C1', name: '泉城花园', address: '历下区泉城路1号', district: '370102', station: 'ST1', grid: 'A1', lon: 117.02, lat: 36.66,
  households: 400, property_company: '济南某物业公司', facilities: { camera: 8, access_control: 2 },
  contacts: [{ id: 3, name: '赵经理', phone_masked: '139****0001' }],
}

describe('community form', () => {
  it('edits without code, station or contacts (phones are sealed)', () => {
    const f = communityForm(community)
    expect(f.masked).toEqual(['赵经理 139****0001'])
    f.facilities.camera = '10'
    f.households = '420'
    expect(communityPayload(f)).toEqual({
      name: '泉城花园', address: '历下区泉城路1号', district: '370102', grid: 'A1', households: 420, property_company: '济南某物业公司',
      lon: 117.02, lat: 36.66, facilities: { camera: 10, access_control: 2 },
    })
  })
  it('registers with code, station and contacts; reads a GeoJSON Polygon as the boundary', () => {
    const f = communityForm(null)
    Object.assign(f, { code: ' C2 ', name: '燕山小区', district: '370102', station: 'ST2', households: 100 })
    f.contacts = [{ name: '钱经理', phone: '13905310002' }, { name: ' ', phone: '' }, { name: '孙主任', phone: '' }]
    f.boundary = '{"type":"Polygon","coordinates":[[[117,36.6],[117.01,36.6],[117,36.61],[117,36.6]]]}'
    expect(communityPayload(f)).toEqual({
      code: 'C2', station: 'ST2', name: '燕山小区', address: '', district: '370102', grid: '', households: 100, property_company: '', facilities: {},
      boundary: [[[[117, 36.6], [117.01, 36.6], [117, 36.61], [117, 36.6]]]],
      contacts: [{ name: '钱经理', phone: '13905310002' }, { name: '孙主任' }],
    })
    f.boundary = '[[[not json'
    expect(() => communityPayload(f)).toThrow('boundary')
  })
})

describe('level rule editor', () => {
  const rule = { version: 1, smart: 80, basic: 50, criteria: [{ facility: 'camera', per: 50, weight: 25 }, { facility: 'access_control', per: 200, weight: 75 }] }
  it('sums the weights and sends numbers', () => {
    const f = ruleForm(rule)
    f.criteria[0].weight = '30'
    expect(weightSum(f)).toBe(105)
    f.criteria[1].weight = 70
    f.smart = '85'
    expect(rulePayload(f)).toEqual({ smart: 85, basic: 50, criteria: [{ facility: 'camera', per: 50, weight: 30 }, { facility: 'access_control', per: 200, weight: 70 }] })
    expect(rule.criteria[0].weight).toBe(25)
  })
  it('is offered to a city-wide writer only', () => {
    expect(canEditRule('all', 'SB1')).toBe(true)
    expect(canEditRule('subtree', 'ROOT')).toBe(true)
    expect(canEditRule('subtree', 'SB1')).toBe(false)
    expect(canEditRule('', 'ROOT')).toBe(false)
  })
})

describe('road coverage', () => {
  it('shows the share, 0 % when roads are unseen, and no roads as such', () => {
    expect(roadShare({ road_coverage_pct: 22.41 }, '无道路')).toBe('22.41 %')
    expect(roadShare({ road_coverage_pct: 0 }, '无道路')).toBe('0 %')
    expect(roadShare({ road_coverage_pct: null }, '无道路')).toBe('无道路')
    expect(roadShare({}, 'No roads')).toBe('No roads')
  })
})

describe('coverage layer helpers', () => {
  it('colours a share red → amber → green, grey when unknown', () => {
    expect(shareColour(0)).toBe('#e03131')
    expect(shareColour(50)).toBe('#f59f00')
    expect(shareColour(100)).toBe('#2f9e44')
    expect(shareColour(-5)).toBe('#e03131')
    expect(shareColour(250)).toBe('#2f9e44')
    // A quarter: halfway from red to amber — (e0+f5)/2 = ea.8 → eb, (31+9f)/2 = 68, (31+00)/2 = 18.8 → 19.
    expect(shareColour(25)).toBe('#eb6819')
    expect(shareColour(undefined)).toBe('#adb5bd')
    expect(shareColour(NaN)).toBe('#adb5bd')
  })
  it('tells a point in a padded box', () => {
    const box = [117, 36, 118, 37]
    expect(inBox(117.5, 36.5, box)).toBe(true)
    expect(inBox(118.2, 36.5, box)).toBe(false)
    expect(inBox(118.2, 36.5, box, 0.25)).toBe(true)
    expect(inBox(118.3, 36.5, box, 0.25)).toBe(false)
    expect(inBox(1, 1, null)).toBe(true)
  })
  it('pads a box within the globe', () => {
    expect(padBox([117, 36, 118, 37], 0.5)).toEqual([116.5, 35.5, 118.5, 37.5])
    expect(padBox([-179, 89, 179, 89.5], 1)).toEqual([-180, 88.5, 180, 90])
  })
  it('knows when a layer already answers a view', () => {
    const view = [117.1, 36.1, 117.2, 36.2]
    expect(layerCovers(null, null, view)).toBe(false)
    expect(layerCovers({ mode: 'grids' }, null, view)).toBe(false)
    expect(layerCovers({ mode: 'gaps' }, null, view)).toBe(true)
    expect(layerCovers({ mode: 'gaps' }, [117, 36, 118, 37], view)).toBe(true)
    expect(layerCovers({ mode: 'gaps' }, [117.15, 36, 118, 37], view)).toBe(false)
  })
})
