// 平安校园页面的文字（简体中文）：学校名录、检查轮次与覆盖、现场检查、隐患与整改通知书、统计。
// 键与 en.campus.js 一致，由 test/i18n.test.js 检查。
export default {
  nav: { campus: '平安校园', campusSchools: '学校名录', campusRounds: '检查轮次', campusNotices: '隐患与整改', campusStats: '平安校园统计' },
  actions: { campus_photo_add: '上传隐患照片' },
  objectType: { campus_hazard: '校园隐患' },
  campus: {
    type: { kindergarten: '幼儿园', primary: '小学', middle: '初中', high: '高中', vocational: '中职', special: '特殊教育' },
    cat: { people: '人防', physical: '物防', technical: '技防', fire: '消防', traffic: '交通', surroundings: '周边环境' },
    agency: { police: '公安', education: '教育', fire: '消防救援', market: '市场监管' },
    mode: { overt: '明查', covert: '暗访', mixed: '明查暗访结合' },
    result: { pass: '合格', fail: '不合格', na: '不适用' },
    severity: { general: '一般隐患', major: '重大隐患' },
    hstatus: { open: '待下达通知书', rectified_on_spot: '当场整改', noticed: '限期整改中', closed: '已销号' },
    nstatus: { open: '整改中', closed: '复查销号', superseded: '已重新下达', overdue: '逾期' },
    outcome: { close: '复查合格，销号', extend: '延期整改', reissue: '仍未整改，重新下达' },
    schools: {
      list: '列表', map: '地图', title: '学校名录', intro: '本单位辖区内的中小学、幼儿园。联系人电话脱敏显示。', q: '学校名称', type: '类型', district: '区县代码', station: '派出所',
      code: '学校代码', name: '学校名称', private: '办学性质', privateYes: '民办', privateNo: '公办', students: '学生', staff: '教职工', security: '保安',
      contacts: '联系人', generated: '演示数据', import: '导入学校', importHint: '选择 .xlsx 或 .csv 文件：表头含 学校代码、学校名称、类型、区县代码、派出所，可选 办学性质、地址、经度、纬度、学生数、教职工数、保安人数、联系人职务、联系人、联系电话。任一行有误则整份不导入。',
      imported: '已导入 {n} 所学校', importErrors: '文件有 {n} 处错误，未导入任何学校', row: '行', field: '字段', message: '问题',
      edit: '修改', editTitle: '修改学校信息', newTitle: '登记学校', create: '登记学校', address: '地址', lon: '经度', lat: '纬度', staffN: '教职工数', studentsN: '学生数', securityN: '保安人数',
      contactRole: '职务', contactName: '姓名', phone: '电话', phoneKeep: '留空则不变（{mask}）', addContact: '添加联系人', saved: '已保存', mapCount: '地图上共 {n} 所学校', legend: '红色：整改逾期；橙色：有未整改隐患',
    },
    rounds: {
      title: '检查轮次', intro: '联合督导组按轮次对计划内学校明查暗访；覆盖看板列出尚未检查的学校。', name: '轮次', group: '督导组', window: '时间',
      planned: '计划', reached: '已检查', coverage: '覆盖看板', unreached: '尚未检查的学校', byDistrict: '按区县', byType: '按类型', inspect: '去检查', allReached: '计划内学校已全部检查',
      groups: '联合督导组', members: '成员', mode: '方式', newRound: '制定轮次', editRound: '调整轮次', newGroup: '组建督导组', editGroup: '修改督导组',
      start: '开始日期', end: '结束日期', schools: '计划检查的学校', schoolsHint: '可输入学校名称筛选', addAll: '全部加入（{n} 所）', clear: '清空', agency: '单位', account: '系统账号（外单位）', accountNone: '无账号', memberName: '姓名', memberTitle: '职务',
      addMember: '添加成员', remove: '移除', edit: '修改', saved: '已保存', planCount: '已选 {n} 所学校',
    },
    visit: {
      title: '现场检查', school: '学校', mode: '方式', officers: '检查人员', officersHint: '用顿号或逗号分隔', checklist: '检查表（第 {v} 版）',
      hazard: '隐患描述', severity: '隐患等级', onSpot: '当场整改', note: '备注', submit: '提交检查结果', saved: '检查已登记，发现隐患 {n} 处',
      photo: '照片（JPEG/PNG，不超过 5 MB）', photoTooLarge: '照片超过 5 MB，未上传', needAll: '请为每一项选择结果', needDesc: '不合格项请填写隐患描述',
    },
    notices: {
      title: '隐患与整改通知书', intro: '当场未整改的隐患下达《责令限期整改通知书》；逾期未整改的通知书标红，并已通报派出所和教育部门。',
      hazards: '待下达通知书的隐患', notices: '整改通知书', issue: '下达通知书', number: '文号', school: '学校', deadline: '整改期限', basis: '法律依据',
      rep: '学校负责人', officers: '检查人员', pdf: 'PDF', reinspect: '复查', reason: '理由', newDeadline: '新期限', issuedOn: '签发日期', reinspectedOn: '复查日期', issued: '已下达 {number}',
      found: '发现时间', desc: '隐患', overdueOnly: '只看逾期', done: '已记录',
    },
    stats: {
      title: '平安校园统计', intro: '检查学校、发现隐患、涉及学校、当场整改、下达整改通知书、复查销号、逾期未改，与去年同期比较。', round: '轮次',
      coverage: '覆盖率 {pct}%（{schools} 所学校）', byDistrict: '按区县', byType: '按学校类型', byStation: '按派出所',
      f: { schools_inspected: '检查学校', hazards: '发现隐患', schools_involved: '涉及学校', rectified_on_spot: '当场整改', notices: '下达整改通知书', closed: '复查销号', overdue: '逾期未改' },
    },
  },
}
