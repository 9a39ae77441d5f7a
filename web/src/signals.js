// The Four Cuts signals in plain words, for the analyst reading a
// finding's evidence (issue 11.2). The words live in the i18n files
// zh-CN.signals.js and en.signals.js (signal.<name>.{title,meaning,unit},
// limit.<ConfigField>), so both languages have every key; these helpers
// fall back to the raw name for a signal a newer engine added.
import { messages, lookup } from './i18n/index.js'

/** describeSignal returns {title, meaning, unit} of a signal in locale loc. */
export function describeSignal(name, loc) {
  const msgs = messages[loc] || messages['zh-CN']
  // lookup returns strings only: ask for each field of the signal.
  const title = lookup(msgs, 'signal.' + name + '.title')
  if (title === undefined) return { title: name, meaning: '', unit: '' }
  return { title, meaning: lookup(msgs, 'signal.' + name + '.meaning') || '', unit: lookup(msgs, 'signal.' + name + '.unit') || '' }
}

/** describeLimit names a Config field in locale loc. */
export function describeLimit(name, loc) {
  const l = lookup(messages[loc] || messages['zh-CN'], 'limit.' + name)
  return typeof l === 'string' ? l : name
}
