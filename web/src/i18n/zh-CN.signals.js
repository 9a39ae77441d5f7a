// 四断研判信号的中文说明（issue 11.2：信号含义、取值、阈值、触发时生效的参数）。
// 键与 en.signals.js 一致；web/signals_test.go 检查引擎可能给出的每个信号、
// 每个阈值参数在这里都有说明。
export default {
  signal: {
    imsi_per_imei: { title: '一机多卡', meaning: '同一设备（IMEI）中出现的卡（IMSI）数量达到阈值，猫池、GoIP 等设备的典型特征。', unit: '张卡' },
  },
  limit: {
    IMSIPerIMEI: '一机多卡阈值',
  },
}
