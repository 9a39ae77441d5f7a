import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe, canAny, mustStep, signedIn } from './session.js'
import Shell from './layouts/Shell.vue'
import Login from './views/Login.vue'

const placeholder = (key, perm) => ({
  path: `modules/${key}`, name: `module-${key}`,
  component: () => import('./views/Placeholder.vue'),
  props: { module: key },
  meta: { perms: [perm], crumbs: ['nav.business', `nav.${key}`] },
})

const routes = [
  { path: '/login', name: 'login', component: Login, meta: { public: true, titleKey: 'login.title' } },
  { path: '/change-password', name: 'change-password', component: () => import('./views/ChangePassword.vue'), meta: { bare: true, titleKey: 'pwd.title' } },
  { path: '/enroll-totp', name: 'enroll-totp', component: () => import('./views/EnrollTotp.vue'), meta: { bare: true, titleKey: 'totp.title' } },
  // The command centre's screen: full screen, no menus (1920×1080).
  { path: '/command', name: 'command', component: () => import('./views/CommandCentre.vue'), meta: { perms: ['unit:read'], titleKey: 'command.title' } },
  {
    path: '/', component: Shell, children: [
      { path: '', name: 'dashboard', component: () => import('./views/Dashboard.vue'), meta: { crumbs: ['nav.dashboard'] } },
      { path: 'today', name: 'today', component: () => import('./views/Today.vue'), meta: { perms: ['incident:read', 'finding:read', 'case:read', 'campus:read', 'fire:read'], crumbs: ['nav.today'] } },
      { path: 'system/depts', name: 'depts', component: () => import('./views/Depts.vue'), meta: { perms: ['dept:read', 'dept:write'], crumbs: ['nav.system', 'nav.depts'] } },
      { path: 'system/users', name: 'users', component: () => import('./views/Users.vue'), meta: { perms: ['user:read'], crumbs: ['nav.system', 'nav.users'] } },
      { path: 'system/users/:id', name: 'user', component: () => import('./views/UserDetail.vue'), props: true, meta: { perms: ['user:read'], crumbs: ['nav.system', 'nav.users', 'user.detail'] } },
      { path: 'system/sources', name: 'sources', component: () => import('./views/Sources.vue'), meta: { perms: ['source:write'], crumbs: ['nav.system', 'nav.sources'] } },
      { path: 'system/ingest-status', name: 'ingestStatus', component: () => import('./views/IngestStatus.vue'), meta: { perms: ['source:write'], crumbs: ['nav.system', 'nav.ingestStatus'] } },
      { path: 'system/roles', name: 'roles', component: () => import('./views/Roles.vue'), meta: { perms: ['role:read'], crumbs: ['nav.system', 'nav.roles'] } },
      { path: 'security/alerts', name: 'alerts', component: () => import('./views/Alerts.vue'), meta: { perms: ['audit:read'], crumbs: ['nav.security', 'nav.alerts'] } },
      { path: 'security/policy', name: 'policy', component: () => import('./views/Policy.vue'), meta: { perms: ['role:write'], crumbs: ['nav.security', 'nav.policy'] } },
      { path: 'security/audit', name: 'audit', component: () => import('./views/Audit.vue'), meta: { perms: ['audit:read'], crumbs: ['nav.security', 'nav.audit'] } },
      { path: 'account', name: 'account', component: () => import('./views/Account.vue'), meta: { crumbs: ['account.title'] } },
      { path: 'patrol/incidents', name: 'incidents', component: () => import('./views/Incidents.vue'), meta: { perms: ['incident:read'], crumbs: ['nav.business', 'nav.incident'] } },
      { path: 'patrol/map', name: 'grid-map', component: () => import('./views/GridMap.vue'), meta: { perms: ['grid:read', 'unit:read'], crumbs: ['nav.business', 'nav.grid'] } },
      { path: 'patrol/units', name: 'units', component: () => import('./views/Units.vue'), meta: { perms: ['unit:read'], crumbs: ['nav.business', 'nav.units'] } },
      { path: 'patrol/grids', name: 'grids', component: () => import('./views/Grids.vue'), meta: { perms: ['grid:read'], crumbs: ['nav.business', 'nav.grids'] } },
      { path: 'patrol/plans', name: 'patrol-plans', component: () => import('./views/PatrolPlans.vue'), meta: { perms: ['grid:read'], crumbs: ['nav.business', 'nav.patrolPlans'] } },
      { path: 'patrol/history', name: 'history', component: () => import('./views/IncidentImport.vue'), meta: { perms: ['incident:import'], crumbs: ['nav.business', 'nav.history'] } },
      { path: 'patrol/my-unit', name: 'my-unit', component: () => import('./views/MyUnit.vue'), meta: { perms: ['unit:read'], crumbs: ['nav.business', 'nav.myUnit'] } },
      { path: 'patrol/stats', name: 'patrol-stats', component: () => import('./views/PatrolStats.vue'), meta: { perms: ['report:read'], crumbs: ['nav.business', 'nav.patrolStats'] } },
      { path: 'cases/stats', name: 'cyber-stats', component: () => import('./views/CyberStats.vue'), meta: { perms: ['report:read'], crumbs: ['nav.cases', 'nav.cyberStats'] } },
      // Where the placeholders of the first release were.
      { path: 'modules/incident', redirect: '/patrol/incidents' },
      { path: 'modules/grid', redirect: '/patrol/map' },
      { path: 'modules/finding', redirect: '/fourcuts/findings' },
      { path: 'fourcuts/findings', name: 'findings', component: () => import('./views/Findings.vue'), meta: { perms: ['finding:read'], crumbs: ['nav.fourcuts', 'nav.findings'] } },
      { path: 'fourcuts/allowlist', name: 'allowlist', component: () => import('./views/Allowlist.vue'), meta: { perms: ['finding:read'], crumbs: ['nav.fourcuts', 'nav.allowlist'] } },
      { path: 'fourcuts/appeals', name: 'appeals', component: () => import('./views/Appeals.vue'), meta: { perms: ['appeal:write', 'finding:read'], crumbs: ['nav.fourcuts', 'nav.appeals'] } },
      { path: 'fourcuts/cutlists', name: 'cutlists', component: () => import('./views/CutLists.vue'), meta: { perms: ['finding:read'], crumbs: ['nav.fourcuts', 'nav.cutlists'] } },
      { path: 'fourcuts/gangs/:gang', name: 'gang', component: () => import('./views/Gang.vue'), props: true, meta: { perms: ['finding:read'], crumbs: ['nav.fourcuts', 'nav.findings', 'gang.title'] } },
      { path: 'modules/case', redirect: '/cases' },
      { path: 'cases', name: 'cases', component: () => import('./views/Cases.vue'), meta: { perms: ['case:read'], crumbs: ['nav.cases', 'nav.caseList'] } },
      { path: 'cases/alerts', name: 'case-alerts', component: () => import('./views/CaseAlerts.vue'), meta: { perms: ['case:read'], crumbs: ['nav.cases', 'nav.caseAlerts'] } },
      { path: 'cases/campaigns', name: 'campaigns', component: () => import('./views/Campaigns.vue'), meta: { perms: ['case:read'], crumbs: ['nav.cases', 'nav.campaigns'] } },
      { path: 'cases/:id(\\d+)', name: 'case', component: () => import('./views/Case.vue'), props: true, meta: { perms: ['case:read'], crumbs: ['nav.cases', 'nav.caseList', 'cases.page.title'] } },
      { path: 'people/:id(\\d+)', name: 'person', component: () => import('./views/Person.vue'), props: true, meta: { perms: ['case:read'], crumbs: ['nav.cases', 'person.title'] } },
      { path: 'campus/schools', name: 'campusSchools', component: () => import('./views/CampusSchools.vue'), meta: { perms: ['campus:read'], crumbs: ['nav.campus', 'nav.campusSchools'] } },
      { path: 'campus/rounds', name: 'campusRounds', component: () => import('./views/CampusRounds.vue'), meta: { perms: ['campus:read'], crumbs: ['nav.campus', 'nav.campusRounds'] } },
      { path: 'campus/visit', name: 'campusVisit', component: () => import('./views/CampusVisit.vue'), meta: { perms: ['campus:inspect'], crumbs: ['nav.campus', 'campus.visit.title'] } },
      { path: 'campus/notices', name: 'campusNotices', component: () => import('./views/CampusNotices.vue'), meta: { perms: ['campus:read'], crumbs: ['nav.campus', 'nav.campusNotices'] } },
      { path: 'campus/stats', name: 'campusStats', component: () => import('./views/CampusStats.vue'), meta: { perms: ['report:read'], crumbs: ['nav.campus', 'nav.campusStats'] } },
      { path: 'fire/reports', name: 'fireReports', component: () => import('./views/FireReports.vue'), meta: { perms: ['fire:read'], crumbs: ['nav.fire', 'nav.fireReports'] } },
      { path: 'fire/reports/:id(\\d+)', name: 'fireReport', component: () => import('./views/FireReport.vue'), props: true, meta: { perms: ['fire:read'], crumbs: ['nav.fire', 'nav.fireReports', 'fire.page.title'] } },
      { path: 'fire/new', name: 'fireNew', component: () => import('./views/FireHazard.vue'), meta: { perms: ['fire:write'], crumbs: ['nav.fire', 'nav.fireNew'] } },
      { path: 'fire/stats', name: 'fireStats', component: () => import('./views/FireStats.vue'), meta: { perms: ['report:read'], crumbs: ['nav.fire', 'nav.fireStats'] } },
      { path: 'zhudun/communities', name: 'zhudunCommunities', component: () => import('./views/ZhudunCommunities.vue'), meta: { perms: ['zhudun:read'], crumbs: ['nav.zhudun', 'nav.zhudunCommunities'] } },
      { path: 'zhudun/communities/:id', name: 'zhudunCommunity', component: () => import('./views/ZhudunCommunity.vue'), meta: { perms: ['zhudun:read'], crumbs: ['nav.zhudun', 'nav.zhudunCommunities', 'nav.zhudunCommunity'] } },
      { path: 'zhudun/coverage', name: 'zhudunCoverage', component: () => import('./views/ZhudunCoverage.vue'), meta: { perms: ['zhudun:read'], crumbs: ['nav.zhudun', 'nav.zhudunCoverage'] } },
      { path: 'zhudun/safe-units', name: 'zhudunSafeUnits', component: () => import('./views/ZhudunSafeUnits.vue'), meta: { perms: ['zhudun:read'], crumbs: ['nav.zhudun', 'nav.zhudunSafeUnits'] } },
      { path: 'zhudun/stats', name: 'zhudunStats', component: () => import('./views/ZhudunStats.vue'), meta: { perms: ['report:read'], crumbs: ['nav.zhudun', 'nav.zhudunStats'] } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./views/Forbidden.vue'), meta: { crumbs: ['forbidden.title'] } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { crumbs: ['notFound.title'] } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try { await loadMe() } catch { /* network trouble: treat as signed out */ }
  }
  if (to.meta.public) {
    if (signedIn() && to.name === 'login') return { name: mustStep() || 'dashboard' }
    return true
  }
  if (!signedIn()) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  const step = mustStep()
  if (step && to.name !== step) return { name: step }
  if (!step && to.meta.bare) return { name: 'dashboard' }
  if (to.meta.perms && !canAny(to.meta.perms)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})
