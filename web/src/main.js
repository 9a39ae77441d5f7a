import { createApp } from 'vue'
import { installElements } from './elements.js'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { router } from './router.js'
import { t, locale, setLocale } from './i18n/index.js'
import { setApiHooks } from './api.js'
import { session, clearSession, loadMe, mustStep } from './session.js'
import { stopLive } from './live.js'
import { stopIdle, noteRequest } from './idle.js'

setLocale(locale.value)

setApiHooks({
  onActivity: noteRequest,
  onUnauthorized() {
    if (!session.me && !session.must) return
    clearSession('login.sessionExpired')
    stopLive()
    stopIdle()
    router.push({ name: 'login' })
  },
  async onMust(code) {
    session.must = code === 'EMUSTCHANGE' ? 'change-password' : 'enroll-totp'
    await loadMe().catch(() => {})
    const step = mustStep()
    if (step) router.push({ name: step })
  },
})

const app = createApp(App)
app.config.globalProperties.t = t
installElements(app)
app.use(router)
app.mount('#app')
