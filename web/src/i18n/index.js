// A small i18n layer: messages are plain nested objects, t() looks a key up in
// the current locale and fills {name} placeholders. A unit test checks that
// zh-CN and en have exactly the same keys and that every t('…') in the
// sources exists, so a missing translation fails the build's tests.
import { ref, computed } from 'vue'
import zhCN from './zh-CN.js'
import en from './en.js'
import epZh from 'element-plus/es/locale/lang/zh-cn.mjs'
import epEn from 'element-plus/es/locale/lang/en.mjs'

export const messages = { 'zh-CN': zhCN, en }
export const LOCALES = [
  { id: 'zh-CN', label: '简体中文' },
  { id: 'en', label: 'English' },
]
const STORAGE_KEY = 'zhudun.locale'

function initial() {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v && messages[v]) return v
  } catch { /* storage unavailable */ }
  return 'zh-CN' // zh-CN is the default whatever the browser says
}

export const locale = ref(typeof localStorage === 'undefined' ? 'zh-CN' : initial())
export const elementLocale = computed(() => (locale.value === 'en' ? epEn : epZh))

export function setLocale(id) {
  if (!messages[id]) return
  locale.value = id
  try { localStorage.setItem(STORAGE_KEY, id) } catch { /* ignore */ }
  if (typeof document !== 'undefined') document.documentElement.lang = id
}

export function lookup(msgs, key) {
  let v = msgs
  for (const part of key.split('.')) {
    if (v == null || typeof v !== 'object' || !(part in v)) return undefined
    v = v[part]
  }
  return typeof v === 'string' ? v : undefined
}

/** t translates key in the current locale; {name} placeholders come from params. */
export function t(key, params) {
  let s = lookup(messages[locale.value], key)
  if (s === undefined) s = lookup(messages['zh-CN'], key)
  if (s === undefined) return key
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m))
  return s
}

/** te reports whether key exists in the current locale. */
export function te(key) {
  return lookup(messages[locale.value], key) !== undefined
}

/** tOr translates key when it exists and otherwise returns fallback (for codes from the server). */
export function tOr(key, fallback) {
  return te(key) ? t(key) : fallback
}
