package httpapi

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/internal/xlsxread"
)

// registerCampus mounts the campus safety inspections (issue 14,
// docs/campus.md). Every permission and scope decision is the store's.
func (s *Server) registerCampus() {
	s.registerCampusEdit()
	s.handle("GET", "/api/v1/campus/schools", false, s.listSchools)
	s.handle("POST", "/api/v1/campus/schools", false, s.createSchool)
	s.handle("POST", "/api/v1/campus/schools/import", false, s.importSchools)
	s.handle("GET", "/api/v1/campus/schools/export", false, s.exportSchools)
	s.handle("GET", "/api/v1/campus/schools/{id}", false, s.getSchool)
	s.handle("POST", "/api/v1/campus/contacts/{id}/pii", false, s.revealSchoolContact)
	s.handle("GET", "/api/v1/campus/groups", false, s.listGroups)
	s.handle("POST", "/api/v1/campus/groups", false, s.createGroup)
	s.handle("GET", "/api/v1/campus/rounds", false, s.listRounds)
	s.handle("POST", "/api/v1/campus/rounds", false, s.createRound)
	s.handle("GET", "/api/v1/campus/rounds/{id}", false, s.getRound)
	s.handle("GET", "/api/v1/campus/rounds/{id}/coverage", false, s.roundCoverage)
	s.handle("POST", "/api/v1/campus/visits", false, s.recordVisit)
	s.handle("GET", "/api/v1/campus/visits/{id}", false, s.getVisit)
	s.handle("GET", "/api/v1/campus/hazards", false, s.listHazards)
	s.handle("GET", "/api/v1/campus/hazards/{id}/photos", false, s.listPhotos)
	s.handle("POST", "/api/v1/campus/hazards/{id}/photos", false, s.addPhoto)
	s.handle("GET", "/api/v1/campus/photos/{id}", false, s.getPhoto)
	s.handle("GET", "/api/v1/campus/notices", false, s.listNotices)
	s.handle("POST", "/api/v1/campus/notices", false, s.issueNotice)
	s.handle("GET", "/api/v1/campus/notices/{id}", false, s.getNotice)
	s.handle("GET", "/api/v1/campus/notices/{id}/pdf", false, s.noticePDF)
	s.handle("POST", "/api/v1/campus/notices/{id}/reinspect", false, s.reinspect)
	s.handle("GET", "/api/v1/campus/alerts", false, s.campusAlerts)
	s.handle("GET", "/api/v1/dictionaries/campus", false, s.campusDictionaries)
	s.handle("GET", "/api/v1/reports/campus", false, s.campusReport)
}

func (s *Server) listSchools(w http.ResponseWriter, r *http.Request) error {
	f, err := schoolFilter(r)
	if err != nil {
		return err
	}
	xs, n, err := s.store.FindSchools(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

func schoolFilter(r *http.Request) (zhudun.SchoolFilter, error) {
	q := r.URL.Query()
	f := zhudun.SchoolFilter{Type: q.Get("type"), District: q.Get("district"), Station: q.Get("station"), Query: q.Get("q")}
	var err error
	if f.Round, err = queryInt64(r, "round"); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return f, err
	}
	f.Limit, err = queryInt(r, "limit", 50)
	return f, err
}

func queryInt64(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, zhudun.FieldError(name, "%s must be an id", name)
	}
	return n, nil
}

func (s *Server) createSchool(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewSchool
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.CreateSchool(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getSchool(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindSchoolByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

// exportSchools writes the schools of the caller's scope as a sheet,
// phones masked.
func (s *Server) exportSchools(w http.ResponseWriter, r *http.Request) error {
	f, err := schoolFilter(r)
	if err != nil {
		return err
	}
	sh := sheet{name: "schools", header: []string{"code", "name", "type", "private", "district", "station", "address", "lon", "lat",
		"students", "staff", "security_staff", "contacts", "generated"}}
	f.Offset, f.Limit = 0, 500
	for {
		xs, n, err := s.store.FindSchools(r.Context(), f)
		if err != nil {
			return err
		}
		for _, x := range xs {
			var cs []string
			for _, c := range x.Contacts {
				cs = append(cs, c.Role+" "+c.Name+" "+c.PhoneMasked)
			}
			var lon, lat any = "", ""
			if x.Lon != nil {
				lon, lat = *x.Lon, *x.Lat
			}
			sh.rows = append(sh.rows, []any{x.Code, x.Name, x.Type, x.Private, x.District, x.Station, x.Address, lon, lat,
				x.Students, x.Staff, x.SecurityStaff, strings.Join(cs, "; "), x.Generated})
		}
		f.Offset += len(xs)
		if len(xs) == 0 || f.Offset >= n || f.Offset >= 100000 {
			break
		}
	}
	return s.export(w, r, "schools", sh, map[string]any{"type": f.Type, "district": f.District, "station": f.Station, "round": f.Round})
}

// importSchools takes a .xlsx or .csv (by its content) of schools and
// answers the rows stored, or every row's error and none stored.
func (s *Server) importSchools(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	rows, perr := parseSchoolFile(body)
	if perr != nil {
		return perr
	}
	var bad []zhudun.ImportRowError
	var good []zhudun.NewSchool
	for _, x := range rows {
		if x.err != nil {
			bad = append(bad, *x.err)
			continue
		}
		good = append(good, x.school)
	}
	if len(bad) == 0 {
		var n int
		n, bad, err = s.store.ImportSchools(r.Context(), good)
		if err != nil {
			return err
		}
		if len(bad) == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"imported": n, "errors": []zhudun.ImportRowError{}})
			return nil
		}
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"imported": 0, "errors": bad})
	return nil
}

type schoolRow struct {
	school zhudun.NewSchool
	err    *zhudun.ImportRowError
}

// schoolColumns maps the header names accepted (Chinese as the bureaus'
// sheets have them, or the API's field names) to fields.
var schoolColumns = map[string]string{
	"学校代码": "code", "code": "code", "学校名称": "name", "name": "name", "类型": "type", "学校类型": "type", "type": "type",
	"办学性质": "private", "private": "private", "区县代码": "district", "district": "district", "派出所": "station", "所属派出所": "station", "station": "station",
	"地址": "address", "address": "address", "经度": "lon", "lon": "lon", "纬度": "lat", "lat": "lat",
	"学生数": "students", "students": "students", "教职工数": "staff", "staff": "staff", "保安人数": "security_staff", "security_staff": "security_staff",
	"联系人职务": "contact_role", "contact_role": "contact_role", "联系人": "contact_name", "contact_name": "contact_name", "联系电话": "contact_phone", "contact_phone": "contact_phone",
}

var schoolTypeNames = map[string]string{"幼儿园": zhudun.SchoolKindergarten, "小学": zhudun.SchoolPrimary, "初中": zhudun.SchoolMiddle,
	"中学": zhudun.SchoolMiddle, "高中": zhudun.SchoolHigh, "中职": zhudun.SchoolVocational, "职业学校": zhudun.SchoolVocational, "特殊教育": zhudun.SchoolSpecial,
	"特殊教育学校": zhudun.SchoolSpecial}

// maxSchoolRows bounds one school sheet: a city has a few thousand.
const maxSchoolRows = 20000

// parseSchoolFile reads the sheet's rows (the first sheet of an .xlsx,
// else CSV). A row that does not parse carries its error; the file
// itself not parsing is EINVALID.
func parseSchoolFile(body []byte) ([]schoolRow, error) {
	var table [][]string
	var at []int // each row's line; nil: the line is the row's index + 1
	if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		var err error
		if table, at, err = xlsxread.FirstSheet(body, maxSchoolRows); err != nil {
			return nil, err
		}
	} else {
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))))
		cr.FieldsPerRecord = -1
		var err error
		if table, err = cr.ReadAll(); err != nil {
			return nil, zhudun.FieldError("file", "not a readable CSV: %v", err)
		}
	}
	if len(table) > maxSchoolRows+1 {
		return nil, zhudun.FieldError("file", "at most %d schools", maxSchoolRows)
	}
	if len(table) < 2 {
		return nil, zhudun.FieldError("file", "a header row and at least one school are required")
	}
	cols := map[int]string{}
	for i, h := range table[0] {
		if f, ok := schoolColumns[strings.TrimSpace(h)]; ok {
			cols[i] = f
		}
	}
	for _, need := range []string{"code", "name", "type", "district", "station"} {
		found := false
		for _, f := range cols {
			found = found || f == need
		}
		if !found {
			return nil, zhudun.FieldError("file", "the header has no %s column", need)
		}
	}
	out := make([]schoolRow, 0, len(table)-1)
	for i, rec := range table[1:] {
		line := i + 2
		if at != nil {
			line = at[i+1]
		}
		out = append(out, parseSchoolRow(line, rec, cols))
	}
	return out, nil
}

func parseSchoolRow(row int, rec []string, cols map[int]string) schoolRow {
	var x schoolRow
	var c zhudun.NewSchoolContact
	fail := func(field, msg string) schoolRow {
		return schoolRow{err: &zhudun.ImportRowError{Row: row, Field: field, Message: msg}}
	}
	for i, v := range rec {
		f, ok := cols[i]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch f {
		case "code":
			x.school.Code = v
		case "name":
			x.school.Name = v
		case "type":
			if t, ok := schoolTypeNames[v]; ok {
				v = t
			}
			x.school.Type = v
		case "private":
			x.school.Private = v == "民办" || v == "true" || v == "private"
		case "district":
			x.school.District = v
		case "station":
			x.school.Station = v
		case "address":
			x.school.Address = v
		case "lon", "lat":
			if v == "" {
				continue
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fail(f, "not a number")
			}
			if f == "lon" {
				x.school.Lon = &n
			} else {
				x.school.Lat = &n
			}
		case "students", "staff", "security_staff":
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fail(f, "not a whole number")
			}
			switch f {
			case "students":
				x.school.Students = n
			case "staff":
				x.school.Staff = n
			default:
				x.school.SecurityStaff = n
			}
		case "contact_role":
			c.Role = v
		case "contact_name":
			c.Name = v
		case "contact_phone":
			c.Phone = v
		}
	}
	if c.Name != "" || c.Phone != "" {
		if c.Role == "" {
			c.Role = "联系人"
		}
		x.school.Contacts = []zhudun.NewSchoolContact{c}
	}
	return x
}

func (s *Server) revealSchoolContact(w http.ResponseWriter, r *http.Request) error {
	id, reason, err := idAndReason(r)
	if err != nil {
		return err
	}
	p, err := s.store.RevealSchoolContact(r.Context(), id, reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"phone": p})
	return nil
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindGroups(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewGroup
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.CreateGroup(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindRounds(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewRound
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.CreateRound(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindRoundByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) roundCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.RoundCoverage(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) recordVisit(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewVisit
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.RecordVisit(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getVisit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindVisitByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func hazardFilter(r *http.Request) (zhudun.HazardFilter, error) {
	f := zhudun.HazardFilter{Status: r.URL.Query().Get("status")}
	var err error
	if f.Round, err = queryInt64(r, "round"); err != nil {
		return f, err
	}
	if f.School, err = queryInt64(r, "school"); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return f, err
	}
	f.Limit, err = queryInt(r, "limit", 50)
	return f, err
}

func (s *Server) listHazards(w http.ResponseWriter, r *http.Request) error {
	f, err := hazardFilter(r)
	if err != nil {
		return err
	}
	xs, n, err := s.store.FindHazards(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) error {
	f, err := hazardFilter(r)
	if err != nil {
		return err
	}
	xs, n, err := s.store.FindNotices(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, n))
	return nil
}

func (s *Server) issueNotice(w http.ResponseWriter, r *http.Request) error {
	var b zhudun.NewNotice
	if err := decode(r, &b); err != nil {
		return err
	}
	x, err := s.store.IssueNotice(r.Context(), b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) getNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.FindNoticeByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) reinspect(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.store.Reinspect)
}

func (s *Server) campusAlerts(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.store.FindCampusAlerts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

// campusDictionaries returns the school types, the checklist of each type
// at the current edition, and the legal bases.
func (s *Server) campusDictionaries(w http.ResponseWriter, r *http.Request) error {
	if _, err := zhudun.ScopeFor(r.Context(), zhudun.PermCampusRead); err != nil {
		return err
	}
	lists := map[string]zhudun.Checklist{}
	for _, t := range zhudun.SchoolTypes {
		lists[t], _ = zhudun.ChecklistFor(zhudun.ChecklistVersion, t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"school_types": zhudun.SchoolTypes, "agencies": zhudun.Agencies,
		"categories": zhudun.ChecklistCategories, "checklist_version": zhudun.ChecklistVersion, "checklists": lists, "legal_bases": zhudun.LegalBases})
	return nil
}

// campusFigureNames are the report's figures in the order a sheet lists them.
var campusFigureNames = []struct{ key, name string }{
	{"schools_inspected", "检查学校"}, {"hazards", "发现隐患"}, {"schools_involved", "涉及学校"}, {"rectified_on_spot", "当场整改"},
	{"notices", "下达整改通知书"}, {"closed", "复查销号"}, {"overdue", "逾期未改"},
}

func campusFigureList(f zhudun.CampusFigures) []zhudun.Figure {
	return []zhudun.Figure{f.SchoolsInspected, f.Hazards, f.SchoolsInvolved, f.RectifiedOnSpot, f.Notices, f.Closed, f.Overdue}
}

func (s *Server) campusReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := reportPeriod(q)
	if err != nil {
		return err
	}
	cq := zhudun.CampusReportQuery{From: from, To: to, Dept: q.Get("dept")}
	if cq.Round, err = queryInt64(r, "round"); err != nil {
		return err
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "xlsx" && format != "csv" {
		return zhudun.FieldError("format", "format must be json, xlsx or csv")
	}
	rep, err := s.store.CampusReport(r.Context(), cq)
	if err != nil {
		return err
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "figures": rep})
		return nil
	}
	sh := sheet{name: "campus", header: []string{"slice", "key", "figure", "name", "value", "same period last year", "change %"}}
	add := func(slice, key string, f zhudun.CampusFigures) {
		for i, x := range campusFigureList(f) {
			var pct any = ""
			if x.ChangePct != nil {
				pct = *x.ChangePct
			}
			sh.rows = append(sh.rows, []any{slice, key, campusFigureNames[i].key, campusFigureNames[i].name, int64(x.Value), int64(x.LastYear), pct})
		}
	}
	add("total", "", rep.CampusFigures)
	for _, sl := range []struct {
		name string
		m    map[string]zhudun.CampusFigures
	}{{"round", rep.ByRound}, {"group", rep.ByGroup}, {"district", rep.ByDistrict}, {"station", rep.ByStation}, {"school_type", rep.ByType}} {
		keys := make([]string, 0, len(sl.m))
		for k := range sl.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(sl.name, k, sl.m[k])
		}
	}
	return s.export(w, r, "campus_report", sh, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "dept": cq.Dept, "round": cq.Round})
}

// noticeDate writes a day as the notice prints it: 2026年3月1日.
func noticeDate(t time.Time) string {
	t = t.In(zhudun.CST())
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// addPhoto takes a photo as the body (JPEG or PNG, by its content);
// ?kind=found (default) or rectified.
func (s *Server) addPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = zhudun.PhotoFound
	}
	p, err := s.store.AddHazardPhoto(r.Context(), id, kind, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) listPhotos(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	xs, err := s.store.HazardPhotos(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

// getPhoto serves a photo with its metadata (EXIF with the GPS position)
// stripped: what leaves the system never says where the phone was.
func (s *Server) getPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	data, typ, err := s.store.PhotoData(r.Context(), id)
	if err != nil {
		return err
	}
	clean := zhudun.StripPhotoMetadata(data)
	if clean == nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "photo %d does not parse", id)
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(clean)
	return err
}
