// 铸盾页面的文字（简体中文）：智慧安防小区、摄像机与视频覆盖、平安单位、统计。
// 键与 en.zhudun.js 一致，由 test/i18n.test.js 检查。
export default {
  nav: { zhudunCommunity: '小区详情', zhudun: '铸盾工程', zhudunCommunities: '智慧安防小区', zhudunCoverage: '视频覆盖', zhudunSafeUnits: '平安单位', zhudunStats: '铸盾统计' },
  shield: {
    level: { smart: '智慧安防小区', basic: '基本达标', none: '未达标' },
    facility: { access_control: '门禁', face_gate: '人脸识别门禁', camera: '视频监控', vehicle_barrier: '车辆道闸', perimeter_alarm: '周界报警', smoke_detector: '烟感', ebike_shed: '电动自行车充电棚' },
    communities: {
      title: '智慧安防小区', intro: '本辖区的住宅小区、安防设施与按等级规则计算的智慧安防等级。物业联系人电话已脱敏。',
      code: '小区编码', name: '小区名称', district: '区县', station: '派出所', households: '户数', property: '物业公司', contacts: '物业联系人',
      score: '得分', level: '等级', rule: '规则版本', facilities: '安防设施', generated: '演示数据', import: '导入小区', export: '导出',
      importHint: '选择 .xlsx 或 .csv 文件，表头含 小区编码、小区名称、区县代码、派出所，可含 地址、网格、经度、纬度、户数、物业公司、物业联系人、物业电话 及各设施列（门禁、人脸门禁、摄像机、道闸、周界报警、烟感、充电棚）。有一行错误则全部不导入。',
      imported: '已导入 {n} 个小区', importErrors: '文件有 {n} 处错误，未导入', row: '行', field: '列', message: '问题',
      ruleTitle: '等级规则（第 {v} 版）', per: '每多少户一套', weight: '权重', thresholds: '智慧安防小区 ≥ {smart} 分，基本达标 ≥ {basic} 分',
    },
    form: {
      new: '登记小区', newTitle: '登记小区', editTitle: '修改小区：{name}', address: '地址', district: '区县代码', station: '派出所代码', grid: '网格编码（选填）',
      location: '位置', lon: '经度（WGS-84）', lat: '纬度（WGS-84）', boundary: '边界', boundaryHint: '选填：GeoJSON Polygon/MultiPolygon 或其坐标数组（WGS-84）；有边界才能计算小区视频覆盖率',
      replaceContacts: '重新填写联系人', contactName: '姓名', contactPhone: '手机号', addContact: '添加联系人', remove: '删除',
      badBoundary: '边界不是有效的 GeoJSON 多边形坐标', saved: '已保存',
    },
    detail: {
      score: '得分 {score}（等级规则第 {v} 版）', have: '现有', needed: '需配', earned: '得分',
      roadCovered: '道路：{pct} %（{cov} / {len} 米在视野内）', noRoads: '边界内没有道路。',
      coverage: '视频覆盖', noBoundary: '该小区只登记了位置点，没有边界，无法计算覆盖率；在"编辑"中填写边界后可计算。',
      covered: '覆盖率 {pct}%：已覆盖 {cov} m²，小区面积（网格内部分）{area} m²', cameras: '小区摄像机（{n}）',
      camsInside: '位于小区边界内、未撤除的摄像机。', camsNear: '距小区位置点 200 米以内、未撤除的摄像机（小区无边界）。',
    },
    rule: {
      edit: '修订规则', title: '修订等级规则（将成为第 {v} 版）', hint: '每项设施：每多少户需配一套（0 表示有即可）与权重；权重合计须为 100。',
      sum: '权重合计：{n}（须为 100）', relevel: '保存后所有小区按新版规则重新计算等级，旧版本保留。', saved: '等级规则第 {v} 版已生效',
    },
    coverage: {
      title: '视频覆盖', intro: '在线摄像机视野（扇形）覆盖各网格面积的比例；红色为未覆盖区域。低于目标的网格列在下方。',
      import: '导入设备清单', gcj: '坐标为 GCJ-02', markGone: '清单外的摄像机标为已撤除', importHint: '国标 GB/T 28181 平台导出的设备清单（CSV，UTF-8 或 GB 18030）：device_id、name、longitude、latitude、status（ON/OFF）必填，其余列保留。',
      imported: '已导入：新增 {c}，更新 {u}，离线 {o}，撤除 {g}', importErrors: '清单有 {n} 处错误，未导入',
      grid: '网格', station: '派出所', pct: '覆盖率', target: '目标', cameras: '在线摄像机', under: '低于目标的网格', none: '没有低于目标的网格',
      setTarget: '设目标', districts: '各区县覆盖率', area: '网格面积（m²）',
      cams: '摄像机', device: '国标编号', cname: '名称', type: '类型', online: '在线', offline: '离线', gone: '已撤除', fov: '视场角', range: '距离（米）',
      layerGaps: '未覆盖', layerSectors: '摄像机视野', layerRoads: '道路',
      layerShare: '网格覆盖率 0 % → 100 %', locate: '在地图上定位', gridFilter: '按编号、名称或派出所筛选',
      zoomHint: '此范围内共 {n} 个网格，按视频覆盖率着色（红低绿高）；放大到 {limit} 个网格以内可查看未覆盖区域',
      roadPct: '道路覆盖率', roadNone: '无道路', roadsImport: '导入道路图层', roadsHint: '道路中心线 GeoJSON（LineString / MultiLineString，如 OpenStreetMap 导出；保留 name 与 highway/class），整体替换现有道路图层；须市局范围的铸盾维护权限。坐标按上方 GCJ-02 选项。',
      roadsImported: '已导入道路 {n} 条，共 {km} 公里', roadsErrors: '道路文件有 {n} 处错误，未导入，原道路图层不变', roadsLayer: '道路图层：{n} 条，{km} 公里，{at} 由 {by} 导入',
    },
    safe: {
      title: '平安单位', intro: '单位申请平安单位认定、检查、认定、不予认定与撤销，均记录日期与理由。',
      name: '单位名称', kind: '类别', station: '派出所', status: '状态', applied: '申请日期', decided: '决定日期', reason: '理由',
      apply: '登记申请', inspect: '检查', certify: '认定', refuse: '不予认定', revoke: '撤销', on: '日期', district: '区县代码', address: '地址',
      kinds: { school: '学校', hospital: '医院', market: '市场', enterprise: '企业' },
      st: { applied: '已申请', inspected: '已检查', certified: '已认定', refused: '不予认定', revoked: '已撤销' },
      crit: { security_org: '治安保卫机构和人员落实', rules: '内部治安保卫制度健全', guards: '门卫值守、巡逻', video: '视频监控覆盖重点部位', alarm: '入侵报警、一键报警联网',
        fire: '消防设施完好', key_parts: '要害部位防护', no_case_year: '一年内无重大刑事、治安案件', drills: '应急预案与演练', ebike_compliance: '电动自行车规范停放充电' },
      saved: '已保存',
    },
    stats: {
      title: '铸盾统计', intro: '截至所选日期的数字，与去年同日比较。', at: '日期', dept: '部门代码', run: '查询', figure: '指标', value: '本期', lastYear: '去年同期', change: '变化',
      communities: '住宅小区', smart_communities: '智慧安防小区', cameras_online: '在线摄像机', cameras_offline: '离线摄像机', video_coverage_pct: '视频覆盖率（%）', road_coverage_pct: '道路覆盖率（%）', safe_units: '平安单位',
    },
  },
}
