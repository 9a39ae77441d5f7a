// 电动自行车消防安全页面的文字（简体中文）：报告列表与地图、报告处置、统计、巡逻上报隐患。
// 键与 en.fire.js 一致，由 test/i18n.test.js 检查。
export default {
  nav: { fire: '电动车消防', fireReports: '隐患报告', fireStats: '电动车消防统计', fireNew: '上报隐患' },
  roles: { fire_officer: '消防安全民警' },
  perm: { area: { fire: '电动车消防' } },
  actionPrefix: { fire: '电动车消防' },
  objectType: { fire_report: '电动车消防隐患报告' },
  actions: {
    fire_report_create: '受理电动车消防隐患报告', fire_photo_add: '上传处置照片', fire_order_overdue: '责令改正逾期预警', fire_report_export: '导出电动车消防统计',
    fire_step_dissuade: '劝离', fire_step_resolve: '劝离后已整改', fire_step_refer: '移交消防救援机构或派出所', fire_step_order: '责令改正',
    fire_step_correct: '复查已改正', fire_step_penalize: '行政处罚', fire_step_criminal: '移送追究刑事责任', fire_step_unfounded: '核查无隐患',
  },
  fire: {
    service: { corridor_parking: '占用疏散通道/安全出口停放', corridor_charging: '楼道充电', flying_lead: '飞线充电', indoor_charging: '室内充电', other_hazard: '其他火灾隐患' },
    status: { investigating: '核查中', dissuaded: '已劝离', referred: '已移交', ordered: '责令改正中', resolved: '劝离后已整改', corrected: '已改正', penalized: '已处罚', criminal: '已移送刑事', unfounded: '查无隐患' },
    act: { dissuade: '劝离', resolve: '已整改（劝离有效）', refer: '移交', order: '责令改正', correct: '复查已改正', penalize: '行政处罚', criminal: '移送追究刑事责任', unfounded: '核查无隐患', overdue: '逾期升级' },
    reporter: { property: '物业公司', committee: '居委会', patrol: '巡逻民警', resident: '居民' },
    target: { fire_rescue: '消防救援机构', station: '派出所' },
    consequence: { casualties: '致人伤亡', large_loss: '造成重大损失' },
    list: {
      title: '电动车消防隐患报告', intro: '物业公司、居委会、居民经 Open311 客户端上报，以及巡逻民警现场上报的隐患。同一地点 30 天内重复报告标为“重复地点”。报告人信息脱敏显示。',
      list: '列表', map: '地图', service: '类型', status: '状态', station: '派出所', repeatOnly: '只看重复地点', requested: '报告时间', address: '地点',
      repeat: '重复地点', overdue: '逾期', reporter: '报告人', open: '处置', places: '重复地点 {n} 处', legendReport: '隐患报告', legendRepeat: '重复报告地点',
    },
    page: {
      title: '隐患报告', back: '返回列表', source: '来源', grid: '网格', reporter: '报告人', phone: '电话', email: '邮箱', attrs: '报告内容', steps: '处置经过',
      noSteps: '尚无处置记录', deadline: '改正期限', referred: '移交至', repeatOf: '此前同一地点的报告', next: '下一步处置', action: '处置', note: '处置情况',
      target: '移交对象', targetDept: '派出所代码', decision: '处罚决定书文号', amount: '罚款金额（元）', basis: '法律依据', consequence: '后果', caseId: '案件编号（内部 ID）',
      photo: '现场照片（JPEG/PNG，不超过 5 MB）', photos: '照片 {n} 张', submit: '提交', done: '已记录', closed: '已办结，不能再处置', public: '公开状态（Open311）',
    },
    stats: {
      title: '电动车消防统计', intro: '报告、劝离、移交、责令改正、已改正、行政处罚及罚款、重复地点、办结时长中位数，与去年同期比较。', byStation: '按派出所', byDistrict: '按分局', byService: '按隐患类型',
      f: { reports: '隐患报告', dissuaded: '劝离', referred: '移交', ordered: '责令改正', corrected: '已改正', penalties: '行政处罚', penalty_fen: '罚款（元）', repeat_locations: '重复地点', median_close_hours: '办结时长中位数（小时）' },
    },
    report: {
      title: '上报电动车消防隐患', intro: '以本警力当前位置上报巡逻中发现的隐患，上报后进入本所处置流程。', position: '当前位置', noUnit: '未绑定警力或没有最新位置，无法上报',
      service: '隐患类型', placeKind: '场所类型', cableFrom: '电线引出位置', details: '隐患情况', description: '描述', submit: '上报', done: '已上报，编号 {id}',
      place: { residential: '住宅楼', shared_rental: '群租房', shop: '沿街商铺', public: '公共场所', other: '其他' },
      cable: { window: '窗户', upper_floor: '楼上', shop: '商铺', other: '其他' },
    },
  },
}
