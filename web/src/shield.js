// The 铸盾 pages' logic: the community form and its POST/PUT body, the
// level rule editor's form and body, who may edit the rule.

/** FACILITIES are the facility kinds in the order the forms show them. */
export const FACILITIES = ['access_control', 'face_gate', 'camera', 'vehicle_barrier', 'perimeter_alarm', 'smoke_detector', 'ebike_shed']

const num = (v) => (v === '' || v === null || v === undefined ? null : Number(v))

/** communityForm is the form's state for a community (null: a new one). */
export function communityForm(c) {
  const fac = {}
  for (const k of FACILITIES) fac[k] = (c && c.facilities && c.facilities[k]) || 0
  return {
    id: c ? c.id : 0,
    code: c ? c.code : '', name: c ? c.name : '', address: c ? c.address : '', district: c ? c.district : '',
    station: c ? c.station : '', grid: c ? c.grid : '',
    lon: c && c.lon != null ? String(c.lon) : '', lat: c && c.lat != null ? String(c.lat) : '',
    boundary: c && c.boundary ? JSON.stringify(c.boundary) : '',
    households: c ? c.households : 0, property_company: c ? c.property_company : '',
    facilities: fac,
    // Phones are sealed: an edit shows the masks and sends contacts only
    // when they are to be replaced.
    contacts: [], replaceContacts: !c,
    masked: c ? (c.contacts || []).map((x) => `${x.name} ${x.phone_masked}`) : [],
  }
}

/**
 * communityPayload is the body of POST (new) or PUT (edit). It throws
 * Error('boundary') when the boundary text is not a MultiPolygon's
 * coordinates.
 */
export function communityPayload(f) {
  const out = {
    name: f.name.trim(), address: f.address.trim(), district: f.district.trim(), grid: f.grid.trim(),
    households: Number(f.households) || 0, property_company: f.property_company.trim(), facilities: {},
  }
  if (!f.id) { out.code = f.code.trim(); out.station = f.station.trim() }
  const lon = num(f.lon), lat = num(f.lat)
  if (lon !== null && lat !== null) { out.lon = lon; out.lat = lat }
  if (f.boundary.trim()) {
    let b
    try { b = JSON.parse(f.boundary) } catch { throw new Error('boundary') }
    if (b && b.type === 'MultiPolygon') b = b.coordinates
    else if (b && b.type === 'Polygon') b = [b.coordinates]
    if (!Array.isArray(b) || !b.length) throw new Error('boundary')
    out.boundary = b
  }
  for (const k of FACILITIES) if (Number(f.facilities[k]) > 0) out.facilities[k] = Number(f.facilities[k])
  if (f.replaceContacts) {
    out.contacts = f.contacts.filter((c) => c.name.trim()).map((c) => (c.phone.trim() ? { name: c.name.trim(), phone: c.phone.trim() } : { name: c.name.trim() }))
  }
  return out
}

/** ruleForm is the editor's copy of the rule in force. */
export function ruleForm(rule) {
  return { smart: rule.smart, basic: rule.basic, criteria: rule.criteria.map((c) => ({ facility: c.facility, per: c.per, weight: c.weight })) }
}

/** weightSum is what the criteria's weights add up to (100 to save). */
export function weightSum(f) {
  return f.criteria.reduce((s, c) => s + (Number(c.weight) || 0), 0)
}

/** rulePayload is the body of PUT /zhudun/level-rule. */
export function rulePayload(f) {
  return { smart: Number(f.smart), basic: Number(f.basic), criteria: f.criteria.map((c) => ({ facility: c.facility, per: Number(c.per) || 0, weight: Number(c.weight) || 0 })) }
}

/**
 * canEditRule: the rule is the bureau's dictionary — zhudun:write with a
 * city-wide scope (all, or the subtree at ROOT), as the server decides.
 */
export function canEditRule(scope, deptCode) {
  return scope === 'all' || (scope === 'subtree' && deptCode === 'ROOT')
}

/**
 * roadShare shows a grid's, district's or community's road coverage:
 * "22.41 %", or the words for "no roads" where the server says null (no
 * road inside it) — never "0 %", which would claim roads nobody sees.
 */
export function roadShare(row, none) {
  return row && row.road_coverage_pct != null ? row.road_coverage_pct + ' %' : none
}

/**
 * shareColour is a grid's fill at city scale by its covered share in
 * percent: red at 0 through amber at 50 to green at 100 (clamped; not a
 * number is grey).
 */
export function shareColour(pct) {
  if (typeof pct !== 'number' || Number.isNaN(pct)) return '#adb5bd'
  const p = Math.max(0, Math.min(100, pct)) / 100
  const mix = (a, b, f) => Math.round(a + (b - a) * f)
  // #e03131 → #f59f00 → #2f9e44
  const [r, g, b] = p < 0.5
    ? [mix(0xe0, 0xf5, p * 2), mix(0x31, 0x9f, p * 2), mix(0x31, 0x00, p * 2)]
    : [mix(0xf5, 0x2f, (p - 0.5) * 2), mix(0x9f, 0x9e, (p - 0.5) * 2), mix(0x00, 0x44, (p - 0.5) * 2)]
  return '#' + [r, g, b].map((x) => x.toString(16).padStart(2, '0')).join('')
}

/** inBox tells whether (lon, lat) lies in box [w, s, e, n] grown by pad (a share of its size on each side). */
export function inBox(lon, lat, box, pad = 0) {
  if (!box) return true
  const [w, s, e, n] = box
  const dx = (e - w) * pad, dy = (n - s) * pad
  return lon >= w - dx && lon <= e + dx && lat >= s - dy && lat <= n + dy
}

/** padBox grows box [w, s, e, n] by pad (a share of its size) on each side, within ±180° and ±90°. */
export function padBox(box, pad) {
  const [w, s, e, n] = box
  const dx = (e - w) * pad, dy = (n - s) * pad
  return [Math.max(-180, w - dx), Math.max(-90, s - dy), Math.min(180, e + dx), Math.min(90, n + dy)]
}

/**
 * layerCovers tells whether a coverage layer already answers a view: it
 * gave the gaps (not only the grids' shares) over the whole scope (no box)
 * or over a box holding the view. Panning inside a padded request needs no
 * new one; zooming in from the grids' shares does.
 */
export function layerCovers(layer, asked, view) {
  if (!layer || layer.mode !== 'gaps') return false
  if (!asked) return true
  const [w, s, e, n] = asked
  return view[0] >= w && view[1] >= s && view[2] <= e && view[3] <= n
}
