-- Overdue cuts per network (docs/cutlists.md, "Overdue"). An entity on two
-- carriers' lists is overdue on the one that has not reported within the
-- deadline even when the other cut it: each network's silence is raised
-- once, here, as its report would be kept in cut_reports.
CREATE TABLE cut_overdue (
	finding_id BIGINT NOT NULL REFERENCES findings(id),
	binding    TEXT NOT NULL,
	at         TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (finding_id, binding)
);
-- The marks kept so far were per finding, on the networks that had not
-- reported: carry them over so that nothing is raised twice.
INSERT INTO cut_overdue (finding_id, binding, at)
	SELECT DISTINCT f.id, s.binding, f.overdue_at
	FROM findings f JOIN sources s ON strpos(f.networks, ',' || s.binding || ',') > 0
	WHERE f.overdue_at IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM cut_reports r WHERE r.finding_id = f.id AND r.binding = s.binding);
