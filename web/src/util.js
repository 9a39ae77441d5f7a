import { ElMessage } from 'element-plus'
import { t, te } from './i18n/index.js'

/** errorText explains an API error in the user's language. */
export function errorText(err) {
  if (!err) return ''
  const code = err.code || 'EUNKNOWN'
  if (code === 'ELOCKED' || code === 'ETOOMANY') {
    const minutes = Math.max(1, Math.ceil((err.retryAfter || 60) / 60))
    return t(`errors.${code}`, { minutes })
  }
  let s = te(`errors.${code}`) ? t(`errors.${code}`) : t('errors.EUNKNOWN')
  if (err.field && te(`fields.${err.field}`)) s += ` (${t(`fields.${err.field}`)})`
  // Validation and conflict messages from the server say what exactly is wrong.
  if ((code === 'EINVALID' || code === 'ECONFLICT') && err.message) s += t('common.colon') + err.message
  return s
}

/** showError pops a message for an API error. */
export function showError(err) {
  console.warn(err)
  ElMessage({ type: 'error', message: errorText(err), showClose: true, duration: 6000 })
}

export function showOK(msg) {
  ElMessage({ type: 'success', message: msg, duration: 3000 })
}
