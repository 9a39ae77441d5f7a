// The JSON API client. The session lives in an HttpOnly cookie that the
// browser sends on same-origin requests; the SPA never sees the token.

/** ApiError carries the server's stable error code. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    super(e.message || `HTTP ${status}`)
    this.status = status
    this.code = e.code || (status === 0 ? 'ENETWORK' : status >= 500 ? 'EINTERNAL' : 'EUNKNOWN')
    this.field = e.field || ''
    this.retryAfter = typeof e.retry_after === 'number' ? e.retry_after : null
    this.body = body // what else the answer carries (a grid import's report)
  }
}

// Hooks the app installs: what to do when the session is gone or when the
// server insists on a password change / TOTP enrolment first.
const hooks = { onUnauthorized: null, onMust: null, onActivity: null }
export function setApiHooks(h) { Object.assign(hooks, h) }

/** qs builds a query string from an object, leaving out empty values. */
export function qs(params) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue
    p.append(k, String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

/** request sends one API call and returns the decoded JSON (null for 204). */
export async function request(method, path, body, opts = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (opts.contentType) {
    // A file sent as it is (a CSV upload), not as JSON.
    init.headers['Content-Type'] = opts.contentType
    init.body = body
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch('/api/v1' + path, init)
  } catch (e) {
    throw new ApiError(0, { error: { code: 'ENETWORK', message: String(e && e.message || e) } })
  }
  if (hooks.onActivity) hooks.onActivity()
  let data = null
  if (res.status !== 204) {
    const text = await res.text()
    if (text) {
      try { data = JSON.parse(text) } catch { data = null }
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (!opts.quiet) {
      if (err.code === 'EUNAUTHORIZED' && !path.startsWith('/auth/') && hooks.onUnauthorized) hooks.onUnauthorized()
      if ((err.code === 'EMUSTCHANGE' || err.code === 'EMUSTENROLL') && hooks.onMust) hooks.onMust(err.code)
    }
    throw err
  }
  return data
}

export const api = {
  get: (path, params, opts) => request('GET', path + qs(params), undefined, opts),
  post: (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  /** upload posts a file's text with its content type. */
  upload: (path, text, contentType, opts = {}) => request('POST', path, text, { ...opts, contentType }),
}

/**
 * uploadForm posts a FormData (a file upload) and reports the progress of
 * sending it as a fraction 0–1; fetch cannot, hence XMLHttpRequest. It
 * answers and fails as request does.
 */
export function uploadForm(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open('POST', '/api/v1' + path)
    x.withCredentials = true
    x.setRequestHeader('Accept', 'application/json')
    if (onProgress) x.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total) }
    x.onerror = () => reject(new ApiError(0, { error: { code: 'ENETWORK', message: 'network error' } }))
    x.onload = () => {
      if (hooks.onActivity) hooks.onActivity()
      let data = null
      try { data = x.responseText ? JSON.parse(x.responseText) : null } catch { data = null }
      if (x.status >= 200 && x.status < 300) resolve(data)
      else {
        const err = new ApiError(x.status, data)
        if (err.code === 'EUNAUTHORIZED' && hooks.onUnauthorized) hooks.onUnauthorized()
        reject(err)
      }
    }
    x.send(form)
  })
}

/** fetchAll pages through a list endpoint and returns every item. */
export async function fetchAll(path, params = {}, pageSize = 500) {
  const items = []
  for (let offset = 0; ; offset += pageSize) {
    const page = await api.get(path, { ...params, offset, limit: pageSize })
    const got = (page && page.items) || []
    items.push(...got)
    const total = page && typeof page.total === 'number' ? page.total : items.length
    if (got.length === 0 || items.length >= total || got.length < pageSize) break
  }
  return items
}
