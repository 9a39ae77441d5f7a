// Helpers of the campus pages (平安校园).

// splitNames splits a list of names typed with Chinese or Latin separators (ideographic comma, full-width comma, comma or spaces).
export function splitNames(s) {
  return String(s || '').split(/[\u3001\uff0c,\s]+/).filter(Boolean)
}
