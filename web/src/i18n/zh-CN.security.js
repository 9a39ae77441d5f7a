// 安全策略与告警页面的文字（简体中文）。键与 en.security.js 一致。
export default {
  nav: { alerts: '安全告警', policy: '安全策略' },
  alerts: {
    title: '安全告警',
    intro: '账户锁定、来源地址被限制、审计链校验失败、事件消息认证失败、个人信息检索过频、管理员从新地址登录等安全事件，实时推送给安全审计员；同一事件 15 分钟内的重复只累计次数。时间为北京时间。',
    allEvents: '全部事件', event: '事件', unackedOnly: '仅看未确认', at: '首次发生', lastAt: '最近一次：', subject: '对象', client: '来源地址',
    count: '次数', detail: '详情', ack: '确认', acked: '已确认', ackedBy: '{user} 于 {at} 确认', none: '暂无告警',
  },
  secEvent: {
    lockout: '账户锁定', throttle: '来源地址被限制', audit_verify_failed: '审计链校验失败', bad_event_mac: '事件消息认证失败',
    pii_search_burst: '个人信息检索过频', admin_new_address: '管理员从新地址登录', terminal_takeover: '车载终端冒用注册',
  },
  policy: {
    title: '安全策略',
    intro: '由安全管理员设置的登录与账户策略，保存即生效并记入审计日志。启动参数设置的项以参数为准，此处只读。',
    f: {
      lockout_threshold: '连续失败锁定次数', lockout_minutes: '锁定时长', idle_minutes: '会话空闲超时',
      password_max_age_days: '密码最长使用期', password_history: '密码历史', dormant_days: '长期未用账户停用', totp_roles: '须双因素认证的角色',
    },
    unit: { times: '次', minutes: '分钟', days: '天', passwords: '个' },
    h: {
      lockout_threshold: '连续输错密码达到此次数即锁定账户（{min}–{max}）。',
      lockout_minutes: '锁定持续的时间，期满自动解锁，管理员也可提前解锁（{min}–{max}）。',
      idle_minutes: '会话在此时间内无操作即结束，须重新登录（{min}–{max}）。',
      password_max_age_days: '密码使用超过此天数，登录后须先修改密码（{min}–{max}）。',
      password_history: '新密码不得与最近这么多个密码（含当前密码）相同（{min}–{max}）。',
      dormant_days: '超过此天数未登录的账户自动停用并记入审计；重新启用后重新计时（{min}–{max}）。',
      totp_roles: '持有这些角色的用户登录须输入动态口令，首次登录时先绑定认证器。',
    },
    byFlag: '启动参数设定：{value}',
    updated: '最近由 {user} 于 {at} 修改',
    dormantTitle: '长期未用账户',
    dormantIntro: '超过 {days} 天未登录的账户：启用中的将在下一次巡检（每小时）时停用。',
    dormantNone: '没有长期未用的账户', lastActive: '最近活动', days: '未用天数', pending: '待停用',
  },
  events: { alert_raised: '安全告警', alert_acked: '告警已确认', policy_updated: '安全策略已修改' },
  actions: {
    policy_update: '修改安全策略', alert_ack: '确认告警', user_disable_dormant: '停用长期未用账户',
    security_lockout: '账户锁定', security_throttle: '来源地址被限制', security_audit_verify_failed: '审计链校验失败',
    security_bad_event_mac: '事件消息认证失败', security_pii_search_burst: '个人信息检索过频', security_admin_new_address: '管理员从新地址登录', security_terminal_takeover: '车载终端冒用注册',
  },
  actionPrefix: { security: '安全事件', policy: '安全策略' },
  objectType: { alert: '告警', policy: '安全策略' },
}
