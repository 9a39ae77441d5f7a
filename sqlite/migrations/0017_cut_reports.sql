-- Issue 11, the cut per network (docs/cutlists.md, "Acks"). An entity may
-- be on several carriers' or platforms' lists (a device whose cards are on
-- two networks, a line registered to several platforms): each source
-- reports the cut on its own network, so a report is kept per finding and
-- binding. The finding's own review becomes 'cut' with the first network
-- that cut it; each list shows its own network's report.
CREATE TABLE cut_reports (
	finding_id INTEGER NOT NULL REFERENCES findings(id),
	binding    TEXT NOT NULL,
	status     TEXT NOT NULL, -- cut, not_cut
	reason     TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	at         TIMESTAMP NOT NULL,
	PRIMARY KEY (finding_id, binding)
);
-- What the findings' columns said before (one report per finding): the
-- network of the source that reported it.
INSERT INTO cut_reports (finding_id, binding, status, reason, source, at)
	SELECT f.id, s.binding, CASE WHEN f.cut_at IS NOT NULL THEN 'cut' ELSE 'not_cut' END, f.not_cut_reason, f.cut_source,
		COALESCE(f.cut_at, f.not_cut_at)
	FROM findings f JOIN sources s ON s.name = f.cut_source
	WHERE f.cut_source <> '' AND (f.cut_at IS NOT NULL OR f.not_cut_at IS NOT NULL);
