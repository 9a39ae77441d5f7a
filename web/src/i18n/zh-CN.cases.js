// 网安案件页面的文字（简体中文）：案件列表、案件详情、涉案人员、专项行动。
// 键与 en.cases.js 一致，由 test/i18n.test.js 检查。
export default {
  nav: { cases: '案件', caseList: '案件管理', campaigns: '专项行动' },
  cases: {
    type: {
      telecom_fraud: '电信网络诈骗', helping_crime: '帮助信息网络犯罪活动', personal_info: '侵犯公民个人信息', intrusion: '非法侵入计算机信息系统/黑客',
      pornography: '网络淫秽色情', gambling: '网络赌博', other: '其他',
    },
    status: {
      received: '已受案', filed: '已立案', solved: '已破案', transferred: '已移送起诉', closed_unfiled: '不予立案', revoked: '已撤案', merged: '已并案',
    },
    step: { filed: '立案', solved: '破案', transferred: '移送起诉', closed_unfiled: '不予立案', revoked: '撤案' },
    role: { suspect: '犯罪嫌疑人', victim: '被害人', witness: '证人' },
    measure: {
      compelled_appearance: '拘传', bail: '取保候审', residential_surveillance: '监视居住', detention: '刑事拘留', arrest: '逮捕', summons: '传唤',
    },
    seizureKind: { funds: '涉案资金', sim_cards: '电话卡', bank_cards: '银行卡', devices: '涉案设备', accounts: '恶意账号' },
    fundState: { frozen: '冻结', seized: '扣押', returned: '返还' },
    deviceType: { cat_pool: '猫池', goip: 'GoIP', phone: '手机', computer: '电脑', server: '服务器' },
    list: {
      title: '案件管理', intro: '本单位数据范围内的网安案件：受案、立案、破案、移送起诉的全过程。受案时给出受案编号，立案时给出立案编号。时间为北京时间。',
      new: '新建案件', total: '共 {n} 件', none: '暂无符合条件的案件',
      f: { status: '案件状态', type: '案件类别', campaign: '专项行动', dept: '承办单位', q: '案件名称或编号', qHint: '名称、受案编号或立案编号', apply: '查询' },
      col: { ref: '立案编号/受案编号', title: '案件名称', type: '案件类别', status: '状态', dept: '承办单位', lead: '主办民警', received: '受案时间', filed: '立案时间', solved: '破案时间' },
      saved: '常用查询', savedPick: '选择常用查询', saveAs: '保存当前条件', saveName: '常用查询名称', saveNameHint: '如：四断专项在侦案件', saveNameRequired: '请输入名称',
      savedOk: '已保存常用查询「{name}」', deleteSaved: '删除常用查询', deletedSaved: '已删除常用查询「{name}」',
    },
    form: {
      lead: '主办民警', leadHint: '选填', team: '办案民警', 
      gangTitle: '{gang} 团伙涉嫌电信网络诈骗案', 
      title: '新建案件', fromGang: '从团伙 {gang} 新建案件', fromGangNote: '团伙 {gang} 中您有权查看的研判发现将作为案件关联线索（含当时的研判依据）一并带入。',
      caseTitle: '案件名称', caseTitleHint: '如：张某某等人电信网络诈骗案', titleRule: '案件名称为 2–200 个字', type: '案件类别', typeRequired: '请选择案件类别',
      campaigns: '专项行动', campaignsHint: '可多选（选填）', dept: '承办单位', deptHint: '默认为本单位', created: '已受案：{ref}', submit: '受案',
    },
    alerts: {
      intro: '交叉比对：其他在办案件持有本案的号码、设备、账号、线路、身份证号或银行账户时提示（个人信息已脱敏）；无权查看的案件只显示其部门与联系人。',
      none: '暂无交叉比对提示',
      finding: '研判引擎新发现 #{id} 涉及本案对象',
      contact: '{dept} 的案件，联系人：{lead}',
      col: { kind: '类型', shown: '对象', other: '另一方', at: '时间' },
      kind: { phone: '手机号码', imei: '设备串号', account: '平台账号', ip: 'IP 地址', device: '设备指纹', idno: '身份证号', bank_account: '银行账户', bank_card: '银行卡' },
    },
    page: {
      title: '案件详情', 
      notFound: '案件不存在，或不在您的数据范围内', back: '返回案件列表', receipt: '受案编号', number: '立案编号', type: '案件类别', status: '状态', dept: '承办单位',
      lead: '主办民警', team: '办案民警', campaigns: '专项行动', createdBy: '受案人', received: '受案时间', mergedInto: '已并入案件 #{id}', openMerged: '查看主案',
      tabs: { timeline: '办案经过', people: '涉案人员', measures: '强制措施', seizures: '涉案扣押', entities: '关联线索', links: '串并案', alerts: '交叉比对' },
      addCampaign: '纳入专项行动', addCampaignPick: '选择专项行动', campaignAdded: '已纳入专项行动',
    },
    step2: {
      title: '{step}：{ref}', reason: '理由', reasonHint: '4–500 字', reasonRequired: '{step}须填写理由（4–500 字）', reasonRule: '理由为 4–500 个字',
      confirm: '确认{step}', done: '案件状态已变更为「{status}」', at: '办理时间', atHint: '补录历史时填写（选填，默认为现在）',
    },
    timeline: { none: '暂无记录', created: '受案', moved: '{from} → {to}', by: '{actor}' },
    people: {
      add: '登记涉案人员', name: '姓名', idNumber: '公民身份号码', phone: '手机号码', role: '身份', apprehended: '抓获日期', note: '备注',
      nameRequired: '请输入姓名', roleRequired: '请选择身份', idHint: '18 位公民身份号码（选填）', phoneHint: '11 位手机号码（选填）',
      apprehend: '登记抓获', apprehendTitle: '登记抓获：{name}', apprehendOn: '抓获日期', apprehendRequired: '请选择抓获日期', added: '已登记 {name}',
      none: '暂无涉案人员', open: '人员详情', maskedNote: '身份证号、手机号加密存储，列表中只显示脱敏值。',
    },
    measures: {
      add: '登记强制措施', person: '犯罪嫌疑人', kind: '措施种类', from: '起始日期', to: '截止日期', authority: '决定机关', documentNo: '文书编号',
      authorityHint: '如：济南市公安局', documentNoHint: '如：济公网拘字〔2021〕0001号', none: '暂无强制措施', personRequired: '请选择犯罪嫌疑人',
      kindRequired: '请选择措施种类', fromRequired: '请选择起始日期', authorityRule: '决定机关为 2–100 个字', documentNoRule: '文书编号为 2–100 个字',
      noSuspect: '请先登记犯罪嫌疑人', summonsNote: '传唤不属于刑事强制措施，不计入强制措施人数。', coercive: '强制措施', notCoercive: '非强制措施', added: '已登记强制措施',
    },
    seizures: {
      add: '登记涉案扣押', kind: '类别', amount: '金额（元）', amountHint: '如：1980000.00（最多两位小数）', amountRule: '请输入金额（元），最多两位小数，且大于 0',
      account: '账户', bank: '开户银行', state: '资金状态', frozenOn: '冻结日期', seizedOn: '扣押日期', returnedOn: '返还日期', count: '数量', items: '明细',
      itemsHint: '号码、卡号、IMEI 或账号，每行一个（选填）', deviceType: '设备类型', slots: '卡槽/通道数', slotsHint: '猫池为卡槽数，GoIP 为通道数（1–1024）',
      note: '备注', none: '暂无涉案扣押', detail: '详情', total: '资金合计（不含返还）：{amount} 元', added: '已登记涉案扣押', fieldRule: '请检查「{field}」',
      itemsN: '{n} 项',
    },
    entities: {
      none: '暂无关联线索', graph: '关联图', table: '线索列表', category: '类别', entityType: '对象类型', entity: '研判对象', gang: '团伙', finding: '发现编号',
      addedBy: '添加人', addedAt: '添加时间', openGang: '查看团伙', gangNode: '团伙', add: '添加研判发现', addHint: '发现编号，用逗号或空格分隔', added: '已添加 {n} 条线索',
      addRule: '请输入发现编号',
    },
    links: {
      add: '串案关联', merge: '并案', other: '关联案件', otherHint: '立案编号、受案编号或案件 ID', reason: '理由', reasonHint: '串并案理由（4–500 字）',
      none: '暂无串案', linked: '已关联案件 {ref}', col: { ref: '案件', title: '案件名称', dept: '承办单位', reason: '理由', by: '关联人', at: '关联时间' },
      hidden: '（无权查看，请联系承办单位）', otherRequired: '请输入案件编号或 ID', notFound: '未找到该案件，或不在您的数据范围内', self: '不能与本案关联',
      mergeTitle: '并案：将本案并入另一案件', mergeNote: '并案后，本案的涉案人员、强制措施、涉案扣押、关联线索和专项行动转入主案；本案状态变为「已并案」，编号仍可查询。此操作不可撤销。',
      into: '并入主案', mergeConfirm: '确认将 {ref} 并入 {into}？', merged: '已并入 {ref}',
    },
    imp: {
      button: '批量导入', title: '批量导入案件', templates: '下载模板', xlsx: 'Excel 模板（含填写说明）', csvOf: 'CSV 模板：',
      intro: '按模板填写案件、人员、强制措施、涉案财物，一次导入。整个文件要么全部导入，要么（有任何问题时）全部不导入；再次导入同一文件不会重复。',
      kind: { cases: '案件', people: '人员', measures: '强制措施', seizures: '涉案财物' },
      file: '文件', choose: '选择文件（.xlsx 或 .csv）', csvKind: 'CSV 内容', kindAuto: '按表头识别', submit: '导入', badFile: '请选择 .xlsx 或 .csv 文件',
      rejected: '文件中有 {n} 处问题，未导入任何数据。请改正后重新导入整个文件。', done: '已导入 {file}',
      col: { kind: '类别', stored: '新导入', skipped: '已导入过（跳过）', file: '文件', sheet: '表', row: '行', column: '列', cell: '单元格', message: '问题' },
    },
  },
  person: {
    title: '涉案人员', notFound: '人员不存在，或其案件均不在您的数据范围内', name: '姓名', idNumber: '公民身份号码', phone: '手机号码', createdAt: '登记时间',
    cases: '涉及案件', measures: '强制措施', role: '身份', apprehended: '抓获日期', caseCol: '案件', show: '查看明文', none: '暂无',
    piiTitle: '查看涉案人员个人信息', piiAsk: '查看 {name} 的完整身份证号和手机号须填写查询事由。', piiReason: '查询事由', piiReasonHint: '如：核实犯罪嫌疑人身份（4–200 字）',
    piiRule: '查询事由须为 4–200 个字', piiAudit: '本次查看将连同查询事由记入审计日志。', piiSubmit: '确认查看', piiForbidden: '您没有查看该人员个人信息的权限（pii:view）。',
  },
  campaigns: {
    title: '专项行动', intro: '专项行动（如净网2021、四断）覆盖其单位及下级单位的案件。案件可在新建时或在案件详情中纳入专项行动。',
    new: '新建专项行动', name: '名称', nameHint: '如：净网2021', from: '开始日期', to: '结束日期', dept: '单位', deptHint: '默认为本单位', createdBy: '创建人',
    none: '暂无专项行动', cases: '查看案件', nameRule: '名称为 2–100 个字', rangeRequired: '请选择起止日期', created: '已创建专项行动「{name}」', range: '起止日期',
  },
  gang: { openCase: '立案侦查' },
}
