// The Four Cuts signals in plain English; the keys are those of
// zh-CN.signals.js.
export default {
  signal: {
    imsi_per_imei: { title: 'Cards per device', meaning: 'The number of cards (IMSIs) seen in one device (IMEI) reached the threshold, as in cat pools and GoIP gateways.', unit: 'cards' },
  },
  limit: {
    IMSIPerIMEI: 'cards-per-device threshold',
  },
}
