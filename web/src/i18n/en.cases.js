// The cyber cases pages in English: case list, case page, people, campaigns.
// Same keys as zh-CN.cases.js, checked by test/i18n.test.js.
export default {
  nav: { cases: 'Cases', caseList: 'Case list', campaigns: 'Campaigns' },
  cases: {
    type: {
      telecom_fraud: 'Telecom and online fraud', helping_crime: 'Helping information-network crime', personal_info: 'Infringing personal information', intrusion: 'Illegal intrusion and hacking',
      pornography: 'Online pornography', gambling: 'Online gambling', other: 'Other',
    },
    status: {
      received: 'Received', filed: 'Filed', solved: 'Solved', transferred: 'Transferred for prosecution', closed_unfiled: 'Not filed', revoked: 'Revoked', merged: 'Merged',
    },
    step: { filed: 'File', solved: 'Solve', transferred: 'Transfer for prosecution', closed_unfiled: 'Close without filing', revoked: 'Revoke' },
    role: { suspect: 'Suspect', victim: 'Victim', witness: 'Witness' },
    measure: {
      compelled_appearance: 'Compelled appearance', bail: 'Bail pending trial', residential_surveillance: 'Residential surveillance', detention: 'Criminal detention', arrest: 'Arrest', summons: 'Summons',
    },
    seizureKind: { funds: 'Funds', sim_cards: 'SIM cards', bank_cards: 'Bank cards', devices: 'Devices', accounts: 'Malicious accounts' },
    fundState: { frozen: 'Frozen', seized: 'Seized', returned: 'Returned' },
    deviceType: { cat_pool: 'Cat pool', goip: 'GoIP', phone: 'Phone', computer: 'Computer', server: 'Server' },
    list: {
      title: 'Cases', intro: 'Cyber cases within your data scope, from receipt through filing and solving to transfer for prosecution. A case gets a receipt when received and its number when filed. Times are Beijing time.',
      new: 'New case', total: '{n} cases', none: 'No cases match',
      f: { status: 'Status', type: 'Case type', campaign: 'Campaign', dept: 'Department', q: 'Title or number', qHint: 'Title, receipt or case number', apply: 'Search' },
      col: { ref: 'Number / receipt', title: 'Title', type: 'Type', status: 'Status', dept: 'Department', lead: 'Lead investigator', received: 'Received', filed: 'Filed', solved: 'Solved' },
      saved: 'Saved searches', savedPick: 'Pick a saved search', saveAs: 'Save these filters', saveName: 'Name of the search', saveNameHint: 'e.g. Four Cuts cases under investigation', saveNameRequired: 'Enter a name',
      savedOk: 'Saved search "{name}"', deleteSaved: 'Delete saved search', deletedSaved: 'Deleted saved search "{name}"',
    },
    form: {
      lead: 'Lead investigator', leadHint: 'Optional', team: 'Team', 
      gangTitle: 'Telecom fraud by gang {gang}', 
      title: 'New case', fromGang: 'New case from gang {gang}', fromGangNote: 'The findings of gang {gang} you may see come into the case as its entities, with their evidence as it stands now.',
      caseTitle: 'Title', caseTitleHint: 'e.g. Telecom fraud by Zhang and others', titleRule: 'A title of 2 to 200 characters', type: 'Case type', typeRequired: 'Choose the case type',
      campaigns: 'Campaigns', campaignsHint: 'Any number (optional)', dept: 'Department', deptHint: 'Your own by default', created: 'Received: {ref}', submit: 'Receive',
    },
    alerts: {
      intro: 'Cross-reference: another open case holds a number, device, account, line, resident ID or bank account of this case (personal data masked); a case you may not read shows only its department and whom to contact.',
      none: 'No cross-reference alerts',
      finding: 'The engine\'s new finding #{id} touches this case',
      contact: 'a case of {dept}; contact: {lead}',
      col: { kind: 'Kind', shown: 'Identifier', other: 'Other side', at: 'Time' },
      kind: { phone: 'Phone number', imei: 'IMEI', account: 'Account', ip: 'IP address', device: 'Fingerprint', idno: 'Resident ID', bank_account: 'Bank account', bank_card: 'Bank card' },
    },
    page: {
      title: 'Case', 
      notFound: 'No such case, or it is outside your data scope', back: 'Back to the cases', receipt: 'Receipt', number: 'Case number', type: 'Case type', status: 'Status', dept: 'Department',
      lead: 'Lead investigator', team: 'Team', campaigns: 'Campaigns', createdBy: 'Received by', received: 'Received at', mergedInto: 'Merged into case #{id}', openMerged: 'Open the surviving case',
      tabs: { timeline: 'Timeline', people: 'People', measures: 'Coercive measures', seizures: 'Seizures', entities: 'Entities', links: 'Linked cases', alerts: 'Cross-reference' },
      addCampaign: 'Tag with campaign', addCampaignPick: 'Pick a campaign', campaignAdded: 'Tagged with the campaign',
    },
    step2: {
      title: '{step}: {ref}', reason: 'Reason', reasonHint: '4 to 500 characters', reasonRequired: '{step} needs a reason (4 to 500 characters)', reasonRule: 'A reason is 4 to 500 characters',
      confirm: 'Confirm: {step}', done: 'The case is now: {status}', at: 'Taken at', atHint: 'When entering history after the fact (optional, default now)',
    },
    timeline: { none: 'Nothing recorded', created: 'Received', moved: '{from} → {to}', by: '{actor}' },
    people: {
      add: 'Add person', name: 'Name', idNumber: 'Resident ID', phone: 'Phone', role: 'Role', apprehended: 'Apprehended on', note: 'Note',
      nameRequired: 'Enter the name', roleRequired: 'Choose the role', idHint: '18-character resident ID (optional)', phoneHint: '11-digit mobile number (optional)',
      apprehend: 'Record apprehension', apprehendTitle: 'Apprehension: {name}', apprehendOn: 'Apprehended on', apprehendRequired: 'Choose the day', added: 'Added {name}',
      none: 'No people yet', open: 'Person page', maskedNote: 'Resident IDs and phones are stored encrypted; lists show them masked.',
    },
    measures: {
      add: 'Record measure', person: 'Suspect', kind: 'Measure', from: 'From', to: 'To', authority: 'Deciding authority', documentNo: 'Document number',
      authorityHint: 'e.g. Jinan Public Security Bureau', documentNoHint: 'e.g. JGWJ(2021)0001', none: 'No measures yet', personRequired: 'Choose the suspect',
      kindRequired: 'Choose the measure', fromRequired: 'Choose the first day', authorityRule: 'The authority is 2 to 100 characters', documentNoRule: 'The document number is 2 to 100 characters',
      noSuspect: 'Add a suspect first', summonsNote: 'A summons is recorded but is not a criminal coercive measure and is not counted as one.', coercive: 'Coercive', notCoercive: 'Not coercive', added: 'Measure recorded',
    },
    seizures: {
      add: 'Record seizure', kind: 'Kind', amount: 'Amount (yuan)', amountHint: 'e.g. 1980000.00 (at most two decimals)', amountRule: 'Enter an amount in yuan above zero with at most two decimals',
      account: 'Account', bank: 'Bank', state: 'Funds state', frozenOn: 'Frozen on', seizedOn: 'Seized on', returnedOn: 'Returned on', count: 'Count', items: 'Items',
      itemsHint: 'Numbers, card numbers, IMEIs or accounts, one a line (optional)', deviceType: 'Device type', slots: 'Slots / channels', slotsHint: 'Slots of a cat pool, channels of a GoIP (1 to 1024)',
      note: 'Note', none: 'No seizures yet', detail: 'Details', total: 'Funds in total (returned excluded): {amount} yuan', added: 'Seizure recorded', fieldRule: 'Check "{field}"',
      itemsN: '{n} items',
    },
    entities: {
      none: 'No entities yet', graph: 'Graph', table: 'List', category: 'Category', entityType: 'Entity type', entity: 'Entity', gang: 'Gang', finding: 'Finding',
      addedBy: 'Added by', addedAt: 'Added at', openGang: 'Open gang', gangNode: 'Gang', add: 'Add findings', addHint: 'Finding ids, separated by commas or spaces', added: '{n} entities added',
      addRule: 'Enter finding ids',
    },
    links: {
      add: 'Link case', merge: 'Merge', other: 'Other case', otherHint: 'Case number, receipt or case id', reason: 'Reason', reasonHint: 'Why the cases belong together (4 to 500 characters)',
      none: 'No linked cases', linked: 'Linked with {ref}', col: { ref: 'Case', title: 'Title', dept: 'Department', reason: 'Reason', by: 'Linked by', at: 'Linked at' },
      hidden: '(not visible to you; ask the owning department)', otherRequired: 'Enter a case number or id', notFound: 'No such case within your data scope', self: 'A case cannot be linked with itself',
      mergeTitle: 'Merge this case into another', mergeNote: 'The people, measures, seizures, entities and campaigns of this case move to the surviving case; this case becomes "merged" and its number stays findable. This cannot be undone.',
      into: 'Surviving case', mergeConfirm: 'Merge {ref} into {into}?', merged: 'Merged into {ref}',
    },
    imp: {
      button: 'Bulk import', title: 'Bulk import of cases', templates: 'Templates', xlsx: 'Excel template (with notes)', csvOf: 'CSV templates:',
      intro: 'Fill cases, people, measures and seizures into the template and import them at once. The whole file is imported, or — with any problem — nothing of it; importing the same file again creates nothing twice.',
      kind: { cases: 'Cases', people: 'People', measures: 'Measures', seizures: 'Seizures' },
      file: 'File', choose: 'Choose a file (.xlsx or .csv)', csvKind: 'CSV holds', kindAuto: 'Tell by the header', submit: 'Import', badFile: 'Choose an .xlsx or .csv file',
      rejected: '{n} problems in the file; nothing was imported. Correct them and import the whole file again.', done: 'Imported {file}',
      col: { kind: 'Kind', stored: 'Imported', skipped: 'Imported before (skipped)', file: 'File', sheet: 'Sheet', row: 'Row', column: 'Column', cell: 'Cell', message: 'Problem' },
    },
  },
  person: {
    title: 'Person', notFound: 'No such person, or none of their cases is within your data scope', name: 'Name', idNumber: 'Resident ID', phone: 'Phone', createdAt: 'Recorded at',
    cases: 'Cases', measures: 'Coercive measures', role: 'Role', apprehended: 'Apprehended on', caseCol: 'Case', show: 'Show', none: 'None',
    piiTitle: 'View personal data', piiAsk: 'Viewing the full resident ID and phone of {name} needs a reason.', piiReason: 'Reason', piiReasonHint: 'e.g. verifying a suspect\'s identity (4 to 200 characters)',
    piiRule: 'The reason is 4 to 200 characters', piiAudit: 'This view is recorded in the audit log with its reason.', piiSubmit: 'View', piiForbidden: 'You may not view this person\'s personal data (pii:view).',
  },
  campaigns: {
    title: 'Campaigns', intro: 'A campaign (e.g. Clean Net 2021, Four Cuts) reaches the cases of its department and the departments below. Cases are tagged when opened or on the case page.',
    new: 'New campaign', name: 'Name', nameHint: 'e.g. Clean Net 2021', from: 'From', to: 'To', dept: 'Department', deptHint: 'Your own by default', createdBy: 'Created by',
    none: 'No campaigns yet', cases: 'Cases', nameRule: 'A name of 2 to 100 characters', rangeRequired: 'Choose the first and last day', created: 'Created campaign "{name}"', range: 'Period',
  },
  gang: { openCase: 'Open a case' },
}
