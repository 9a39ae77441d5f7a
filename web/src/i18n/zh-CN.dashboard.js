// 指挥大屏“今日态势”面板的文字（简体中文）。键与 en.dashboard.js 一致，由 test/i18n.test.js 检查。
export default {
  command: { layerCoverage: '巡逻覆盖', todayPage: '今日态势', openCommand: '打开指挥大屏' },
  nav: { today: '今日态势' },
  today: {
    year: '统计年度', ytd: '本年至今', wholeYear: '{year} 年全年', caseOpen: '在办（受案、立案）', title: '今日态势', at: '更新于 {at}', loading: '加载中…', failed: '今日态势加载失败：{message}',
    byHour: '今日警情（按小时）', byCategory: '今日警情（按类别）', trends: '年度同比（{from} 至 {to}）',
    intro: '本页各项数字均为所列记录的条数，点击即打开对应记录；只统计本人数据范围内、有权查看的模块。',
    card: {
      incidents: '今日警情', open: '未处结警情', found: '今日发现（四断）', confirmed: '今日研判确认', cut: '今日断卡断号',
      cases: '在办案件', notices: '逾期整改通知书', orders: '消防逾期未改正',
    },
    figure: {
      cyber_people_coercive: '采取刑事强制措施', fourcuts_suspects_caught: '抓获犯罪嫌疑人', fourcuts_funds_seized_fen: '扣押冻结涉案资金（元）', fourcuts_sim_cards_seized: '收缴电话卡',
      fourcuts_devices_seized: '收缴猫池、GoIP等设备', fire_corrected: '督促整改到位', fire_penalties: '依法作出行政处罚', campus_schools_involved: '涉及学校', campus_rectified_on_spot: '当场整改',
      campus_notices: '下发整改通知书', patrol_rescues_services: '救助服务群众', patrol_disputes_mediated: '调解矛盾纠纷', zhudun_smart_communities: '智慧安防小区',
      patrol_incidents: '接处警情', patrol_criminal_cases: '刑事案件', patrol_public_order_cases: '治安案件', cyber_cases_handled: '网络犯罪案件',
      fourcuts_cases_solved: '破获“四断”案件', fourcuts_malicious_accounts: '恶意账号', campus_hazards: '校园安全隐患', fire_reports: '电动车消防隐患',
      zhudun_video_coverage_pct: '视频监控覆盖率',
    },
    drill: { title: '来自今日态势', clear: '清除', created: '录入时间', confirmed: '确认时间', cut: '断卡时间', received: '接警时间' },
  },
}
