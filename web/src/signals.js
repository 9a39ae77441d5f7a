// The Four Cuts signals in plain words, for the analyst reading a
// finding's evidence (issue 11.2). The words live in the i18n files
// zh-CN.signals.js and en.signals.js (signal.<name>.{title,meaning,unit},
// limit.<ConfigField>), so both languages have every key; these helpers
// fall back to the raw name for a signal a newer engine added.
import { messages, lookup } from './i18n/index.js'

/** describeSignal returns {title, meaning, unit} of a signal in locale loc. */
export function describeSignal(name, loc) {
  const s = lookup(messages[loc] || messages['zh-CN'], 'signal.' + name)
  if (!s || typeof s !== 'object') return { title: name, meaning: '', unit: '' }
  return s
}

/** describeLimit names a Config field in locale loc. */
export function describeLimit(name, loc) {
  const l = lookup(messages[loc] || messages['zh-CN'], 'limit.' + name)
  return typeof l === 'string' ? l : name
}
