// Helpers of the campus pages (平安校园).

// splitNames splits a list of names typed with Chinese or Latin separators (ideographic comma, full-width comma, comma or spaces).
export function splitNames(s) {
  return String(s || '').split(/[\u3001\uff0c,\s]+/).filter(Boolean)
}

// schoolForm turns a school as the API answers it into the edit form: the
// contacts keep their id and show their masked phone; the phone field
// starts empty, since the editor never sees it in clear.
export function schoolForm(s) {
  s = s || {}
  return {
    code: s.code || '', name: s.name || '', type: s.type || 'primary', private: !!s.private, district: s.district || '', station: s.station || '',
    address: s.address || '', lon: s.lon == null ? '' : String(s.lon), lat: s.lat == null ? '' : String(s.lat),
    students: s.students || 0, staff: s.staff || 0, security_staff: s.security_staff || 0,
    contacts: (s.contacts || []).map((c) => ({ id: c.id, role: c.role, name: c.name, phone: '', mask: c.phone_masked || '' })),
  }
}

// schoolPayload is the body of POST or PUT /campus/schools from the form.
// The PUT replaces the school, so every field is sent; an empty location is
// null (no location), a contact's empty phone keeps the sealed one.
export function schoolPayload(f) {
  const num = (v) => (String(v).trim() === '' ? null : Number(v))
  const lon = num(f.lon)
  const lat = num(f.lat)
  return {
    code: f.code.trim(), name: f.name.trim(), type: f.type, private: !!f.private, district: f.district.trim(), station: f.station.trim(),
    address: f.address.trim(), lon: lon == null || lat == null ? null : lon, lat: lon == null || lat == null ? null : lat,
    students: Number(f.students) || 0, staff: Number(f.staff) || 0, security_staff: Number(f.security_staff) || 0,
    contacts: f.contacts.filter((c) => c.role.trim() || c.name.trim()).map((c) => {
      const out = { role: c.role.trim(), name: c.name.trim() }
      if (c.id) out.id = c.id
      if (c.phone.trim()) out.phone = c.phone.trim()
      return out
    }),
  }
}

// groupPayload is the body of POST or PUT /campus/groups: a member chosen
// from the accounts is sent by its user_id (the store fills in the name
// when none is typed).
export function groupPayload(f) {
  return {
    name: f.name.trim(),
    members: f.members.filter((m) => m.user_id || m.name.trim()).map((m) => {
      const out = { agency: m.agency, name: m.name.trim(), title: (m.title || '').trim() }
      if (m.user_id) out.user_id = m.user_id
      return out
    }),
  }
}

// groupForm is a group as the edit form holds it.
export function groupForm(g) {
  g = g || {}
  return { name: g.name || '', members: (g.members || []).map((m) => ({ agency: m.agency, user_id: m.user_id || 0, name: m.username && m.name === m.username ? '' : m.name || '', title: m.title || '' })) }
}

// roundPayload is the body of POST or PUT /campus/rounds; the schools are
// unique ids.
export function roundPayload(f) {
  return { name: f.name.trim(), group_id: f.group_id, mode: f.mode || 'mixed', start_day: f.start_day, end_day: f.end_day, schools: [...new Set(f.schools)] }
}

// POINT_COLOURS fills a school's circle by its status; the type is the ring.
export const POINT_COLOURS = { overdue: '#d03030', open: '#e6a23c', ok: '#409eff' }

// pointStyle is the Leaflet circle style of a map point: overdue schools
// red and larger, so they read first on a city-wide map.
export function pointStyle(p) {
  const s = POINT_COLOURS[p.status] ? p.status : 'ok'
  return { radius: s === 'overdue' ? 7 : s === 'open' ? 6 : 4, color: '#fff', weight: 1, fillColor: POINT_COLOURS[s], fillOpacity: 0.9 }
}

// statusCounts counts the points by status (the map's legend).
export function statusCounts(points) {
  const out = { overdue: 0, open: 0, ok: 0 }
  for (const p of points) out[POINT_COLOURS[p.status] ? p.status : 'ok']++
  return out
}

// calendarDay is the day a date picker shows for d (its cells are the
// browser's local midnights), 'YYYY-MM-DD'.
export function calendarDay(d) {
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

// backEntryInstant is the issued_at or at a notice or re-inspection
// dialog sends for the day chosen (签发日期 / 复查日期): nothing for today
// (the server's now), else the day's last second in Beijing time — a paper
// record gives a day, not a time, and the visit it follows, or the issue of
// the notice it re-inspects, came earlier that day at the latest.
export function backEntryInstant(day, today) {
  if (!day || day === today) return undefined
  return `${day}T23:59:59+08:00`
}
