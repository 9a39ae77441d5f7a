-- Issue 12's scale (bench/cases, docs/cases.md "Scale"): the campaign
-- figures select a period by the step's time or the document's day; without
-- these each figure read every case, suspect and seizure of every year.
-- The step timestamps are NULL until the step is taken (partial indexes:
-- a range on the column implies IS NOT NULL). A seizure is selected by kind
-- and by the day it was made, frozen or returned; the workbench's accounts
-- by the day they were confirmed.
CREATE INDEX cases_received ON cases(received_at);
CREATE INDEX cases_filed ON cases(filed_at) WHERE filed_at IS NOT NULL;
CREATE INDEX cases_solved ON cases(solved_at) WHERE solved_at IS NOT NULL;
CREATE INDEX cases_transferred ON cases(transferred_at) WHERE transferred_at IS NOT NULL;
CREATE INDEX case_people_apprehended ON case_people(apprehended_on, person_id);
CREATE INDEX case_seizures_seized ON case_seizures(kind, seized_on);
CREATE INDEX case_seizures_frozen ON case_seizures(kind, frozen_on);
CREATE INDEX case_seizures_returned ON case_seizures(kind, returned_on);
CREATE INDEX findings_confirmed ON findings(category, confirmed_at) WHERE confirmed_at IS NOT NULL;
