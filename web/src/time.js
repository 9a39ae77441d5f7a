// Dates are shown in Asia/Shanghai (北京时间) whatever the browser's zone:
// the bureau works in one zone and audit trails must read the same everywhere.

export const TZ = 'Asia/Shanghai'
const OFFSET = '+08:00' // China has no daylight saving time

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
})

function wall(d) {
  const o = {}
  for (const p of parts.formatToParts(d)) o[p.type] = p.value
  return o
}

/** formatTime renders an RFC 3339 string or Date as "YYYY-MM-DD HH:mm:ss" in Beijing time. */
export function formatTime(v) {
  if (!v) return ''
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return ''
  const o = wall(d)
  return `${o.year}-${o.month}-${o.day} ${o.hour}:${o.minute}:${o.second}`
}

/** wallToRFC3339 turns a Beijing wall-clock "YYYY-MM-DD HH:mm:ss" into RFC 3339. */
export function wallToRFC3339(s) {
  if (!s) return ''
  return s.replace(' ', 'T') + OFFSET
}

/** beijingNow returns now (or now+deltaMs) as a Beijing wall-clock string. */
export function beijingWall(ms) {
  return formatTime(new Date(ms))
}

/** startOfBeijingDay returns today's 00:00:00 in Beijing as a wall-clock string. */
export function startOfBeijingDay(ms) {
  return formatTime(new Date(ms)).slice(0, 10) + ' 00:00:00'
}
