package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCampusInspection (issue 14), all on a 375 px wide phone page:
// the 经文保 supervisor forms a joint group in the UI with an education
// bureau account and plans a covert round over a 历下 station's school
// (the date pickers driven by their calendars), and sees it on the
// coverage board; the station's officer inspects the school from that
// board (one failed item: the one-key alarm, with a photo), issues the
// notice through the dialog (its deadline picked on the calendar), the
// PDF downloads and renders (pdftoppm), the re-inspection on the page
// closes it, and the commander's statistics page moves by one hazard,
// one notice, one closed. No page scrolls sideways. Another district's
// officer sees none of the first station's schools, by list, id or PDF.
func TestCampusInspection(t *testing.T) {
	e := start(t)
	officer, other := "lixia.officer01", "shizhong.officer01"
	off := e.apiLogin(t, officer)
	cmd := e.apiLogin(t, "lixia.commander")
	oth := e.apiLogin(t, other)
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	type fig struct{ Value float64 }
	type report struct {
		Figures struct {
			H fig `json:"hazards"`
			N fig `json:"notices"`
			C fig `json:"closed"`
			S fig `json:"schools_inspected"`
		}
	}
	var before, after report
	if code := cmd.call("GET", "/reports/campus?from="+today+"&to="+today, nil, &before); code != 200 {
		t.Fatalf("report: %d %s", code, cmd.last)
	}
	var mine, theirs struct {
		Total int
		Items []struct {
			ID                  int64
			Code, Station, Name string
			StationName         string `json:"station_name"`
		}
	}
	off.call("GET", "/campus/schools?limit=500", nil, &mine)
	oth.call("GET", "/campus/schools?limit=500", nil, &theirs)
	if mine.Total == 0 || theirs.Total == 0 {
		t.Fatalf("schools: %d mine, %d theirs", mine.Total, theirs.Total)
	}
	for _, s := range mine.Items {
		if s.Station != mine.Items[0].Station {
			t.Fatalf("%s sees %s of station %s beside %s", officer, s.Code, s.Station, mine.Items[0].Station)
		}
		for _, o := range theirs.Items {
			if o.ID == s.ID {
				t.Fatalf("%s sees %s's school %s", other, officer, s.Code)
			}
		}
	}
	school := mine.Items[0]
	if code := oth.call("GET", fmt.Sprintf("/campus/schools/%d", school.ID), nil, nil); code != 404 {
		t.Fatalf("%s reads %s: %d", other, school.Code, code)
	}

	// The commander's statistics page (this year to date) before.
	cp := e.newPage(t, "commander", 375, 812)
	cp.login("lixia.commander", e.password("lixia.commander"))
	cp.open("/campus/stats")
	cp.waitVisible(`[data-testid="campus-card-notices"] .card-n`)
	noSideways(cp, "the statistics page")
	cardsBefore := map[string]int{}
	for _, k := range []string{"hazards", "notices", "closed"} {
		v, err := strconv.Atoi(strings.TrimSpace(cp.textOf(fmt.Sprintf(`[data-testid="campus-card-%s"] .card-n`, k))))
		if err != nil {
			t.Fatalf("the statistics card %s: %v", k, err)
		}
		cardsBefore[k] = v
	}

	// The supervisor plans the round in the UI.
	sup, agency := "jwbzd.campus1", "edu.inspector1"
	sa, aa := e.apiLogin(t, sup), e.apiLogin(t, agency)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	groupName, roundName := "春季联合督导组（e2e）", "春季暗访（e2e）"
	endDay := time.Date(now.Year(), now.Month()+1, 15, 0, 0, 0, 0, now.Location()).Format("2006-01-02")
	sp := e.newPage(t, "supervisor", 375, 812)
	sp.login(sup, e.password(sup))
	sp.nav("campusRounds", "/campus/rounds")
	sp.waitVisible(`[data-testid="group-new"]`)
	noSideways(sp, "the rounds page")
	sp.click(`[data-testid="group-new"]`)
	sp.typeInto(field("group-name"), groupName)
	sp.typeInto(field("member-name-0"), "刘科长")
	sp.click(`[data-testid="member-add"]`)
	sp.pick(`[data-testid="member-agency-1"]`, `[data-testid="agency-1-education"]`)
	sp.pick(`[data-testid="member-account-1"]`, `[data-testid="account-1-`+agency+`"]`)
	sp.shot("campus-group-375")
	sp.click(`[data-testid="group-save"]`)
	sp.waitTextIn(`[data-testid="groups-table"]`, groupName)
	var groups struct {
		Items []struct {
			ID      int64
			Name    string
			Members []struct{ Username, Agency string }
		}
	}
	sa.call("GET", "/campus/groups", nil, &groups)
	var gid int64
	for _, g := range groups.Items {
		if g.Name == groupName && len(g.Members) == 2 && g.Members[1].Username == agency && g.Members[1].Agency == "education" {
			gid = g.ID
		}
	}
	if gid == 0 {
		t.Fatalf("the group formed on the page is not %s with %s from education: %+v", groupName, agency, groups.Items)
	}
	sp.noDialog()
	sp.click(`[data-testid="round-new"]`)
	sp.typeInto(field("round-name"), roundName)
	sp.pick(`[data-testid="round-group"]`, fmt.Sprintf(`[data-testid="group-opt-%d"]`, gid))
	sp.click(`[data-testid="round-mode-covert"]`)
	pickDay(sp, field("round-start"), 0, now.Day())
	pickDay(sp, field("round-end"), 1, 15)
	sp.click(`[data-testid="round-schools"]`)
	sp.typeInto(`[data-testid="round-schools"] input`, school.Name)
	sp.click(fmt.Sprintf(`[data-testid="school-opt-%d"]`, school.ID))
	sp.waitTextIn(`[data-testid="round-dialog"]`, "已选 1 所学校")
	sp.click(`[data-testid="round-dialog"] .el-dialog__title`) // closes the options
	sp.shot("campus-round-375")
	sp.click(`[data-testid="round-save"]`)
	sp.waitTextIn(`[data-testid="coverage-title"]`, roundName)
	sp.waitTextIn(`[data-testid="coverage-reach"]`, "0 / 计划 1")
	sp.waitVisible(fmt.Sprintf(`[data-testid="inspect-%s"]`, school.Code))
	noSideways(sp, "the coverage board")
	sp.shot("campus-coverage-375")
	// The supervisor corrects the school's guard count on the registry
	// page; the edit is kept and audited, the contacts' phones untouched.
	sp.nav("campusSchools", "/campus/schools")
	sp.typeInto(field("schools-q"), school.Name)
	sp.click(`[data-testid="campus-schools"] button[type="submit"]`)
	sp.click(fmt.Sprintf(`[data-testid="edit-%s"]`, school.Code))
	sp.typeInto(`[data-testid="school-security"] input`, "4")
	sp.typeInto(field("school-address"), "历下区解放路100号")
	noSideways(sp, "the school dialog")
	sp.shot("campus-school-edit-375")
	sp.click(`[data-testid="school-save"]`)
	sp.noDialog()
	var edited struct {
		SecurityStaff int `json:"security_staff"`
		Address       string
		Contacts      []struct {
			PhoneMasked string `json:"phone_masked"`
		}
	}
	checkFor(t, 5*time.Second, "the school edited on the page", func() bool {
		sa.call("GET", fmt.Sprintf("/campus/schools/%d", school.ID), nil, &edited)
		return edited.SecurityStaff == 4 && edited.Address == "历下区解放路100号"
	})
	if len(edited.Contacts) != 1 || edited.Contacts[0].PhoneMasked == "" {
		t.Errorf("the edit lost the contact or its phone: %+v", edited.Contacts)
	}
	// As planned: covert, from today to the 15th of next month; the
	// education account, a member now, sees the round.
	var rounds struct {
		Items []struct {
			ID         int64
			Name, Mode string
			StartDay   string `json:"start_day"`
			EndDay     string `json:"end_day"`
			Schools    int
		}
	}
	aa.call("GET", "/campus/rounds", nil, &rounds)
	found := false
	for _, r := range rounds.Items {
		found = found || (r.Name == roundName && r.Mode == "covert" && r.StartDay == today && r.EndDay == endDay && r.Schools == 1)
	}
	if !found {
		t.Fatalf("the agency member's rounds %+v lack %s, covert, %s to %s, 1 school", rounds.Items, roundName, today, endDay)
	}

	p := e.newPage(t, "officer", 375, 812)
	p.login(officer, e.password(officer))
	p.open("/campus/rounds")
	p.waitVisible(`[data-testid="coverage-unreached"]`)
	p.click(fmt.Sprintf(`[data-testid="inspect-%s"]`, school.Code))
	p.waitVisible(`[data-testid="visit-submit"]`)
	p.waitTextIn(`[data-testid="visit-school"]`, "·")
	noSideways(p, "the visit page")
	eval[bool](p, `(() => { document.querySelectorAll('[data-testid^="pass-"]').forEach((el) => el.click()); return true })()`)
	p.click(`[data-testid="fail-t04"]`)
	p.typeInto(`textarea[data-testid="desc-t04"], [data-testid="desc-t04"] textarea`, "一键报警测试未接通110")
	// A photo taken on the phone, its EXIF carrying where it was taken.
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00GPSLatitude 36.6512 GPSLongitude 117.0205")
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)
	photo = append(photo, jb.Bytes()[2:]...)
	photoPath := filepath.Join(t.TempDir(), "alarm.jpg")
	if err := os.WriteFile(photoPath, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="photo-t04"]`), []string{photoPath}))
	p.typeInto(field("visit-officers"), "张警官、李警官")
	p.shot("campus-visit-375")
	p.click(`[data-testid="visit-submit"]`)
	p.waitFor("the notices page", `location.pathname === '/campus/notices'`)

	var hz struct {
		Items []struct {
			ID       int64
			SchoolID int64 `json:"school_id"`
			Item     string
		}
	}
	off.call("GET", fmt.Sprintf("/campus/hazards?status=open&school=%d", school.ID), nil, &hz)
	if len(hz.Items) != 1 || hz.Items[0].Item != "t04" {
		t.Fatalf("open hazards of %s: %+v", school.Code, hz.Items)
	}
	// The photo reached the hazard and comes back without its position.
	var photos struct{ Items []struct{ ID int64 } }
	checkFor(t, 20*time.Second, "the photo to be stored", func() bool {
		off.call("GET", fmt.Sprintf("/campus/hazards/%d/photos", hz.Items[0].ID), nil, &photos)
		return len(photos.Items) == 1
	})
	if code := off.call("GET", fmt.Sprintf("/campus/photos/%d", photos.Items[0].ID), nil, nil); code != 200 || strings.Contains(off.last, "GPS") || !strings.HasPrefix(off.last, "\xff\xd8") {
		t.Fatalf("the photo served: %d, GPS inside: %v", code, strings.Contains(off.last, "GPS"))
	}
	// The notice, through the dialog: legal basis as offered, the deadline
	// the 15th of next month picked on the calendar.
	p.waitVisible(fmt.Sprintf(`[data-testid="issue-%d"]`, hz.Items[0].ID))
	noSideways(p, "the notices page")
	p.click(fmt.Sprintf(`[data-testid="issue-%d"]`, hz.Items[0].ID))
	// 签发日期 (back-entry of a paper notice) is today unless changed, and
	// its calendar offers no later day.
	noFutureDay(p, "issue-date", today)
	pickDay(p, field("issue-deadline"), 1, 15)
	p.typeInto(field("issue-rep"), "王校长")
	p.typeInto(field("issue-officers"), "张警官、李警官")
	p.shot("campus-issue-375")
	p.click(`[data-testid="issue-submit"]`)
	var ns struct {
		Items []struct {
			ID               int64
			Number, Deadline string
			SchoolRep        string `json:"school_rep"`
			Officers         []string
			Status           string
		}
	}
	checkFor(t, 5*time.Second, "the notice issued on the page", func() bool {
		off.call("GET", fmt.Sprintf("/campus/notices?school=%d", school.ID), nil, &ns)
		return len(ns.Items) == 1
	})
	n := ns.Items[0]
	if n.Deadline != endDay || n.SchoolRep != "王校长" || strings.Join(n.Officers, ",") != "张警官,李警官" || n.Status != "open" {
		t.Fatalf("the notice issued on the page %+v, want deadline %s, 王校长, 张警官 and 李警官", n, endDay)
	}
	p.waitVisible(fmt.Sprintf(`[data-testid="pdf-%d"]`, n.ID))
	p.waitTextIn(fmt.Sprintf(`[data-testid="status-%d"]`, n.ID), "整改中")
	noSideways(p, "the notices page with the notice")
	p.shot("campus-notices-375")
	// The PDF, fetched as the link downloads it (the page's session), then
	// drawn as an image: a page of ink, the red rule under the title.
	pdfHref := eval[string](p, fmt.Sprintf(`document.querySelector('[data-testid="pdf-%d"]').getAttribute('href')`, n.ID))
	if !eval[bool](p, fmt.Sprintf(`document.querySelector('[data-testid="pdf-%d"]').hasAttribute('download')`, n.ID)) {
		t.Fatalf("the PDF link does not download")
	}
	pdf := eval[string](p, fmt.Sprintf(`fetch(%q).then((r) => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then((b) => { const u = new Uint8Array(b); let s = ''; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s) })`, pdfHref))
	checkNoticeImage(t, pdf, n.Number)
	if code := oth.call("GET", strings.TrimPrefix(pdfHref, "/api/v1"), nil, nil); code != 404 {
		t.Fatalf("%s downloads %s's notice: %d", other, officer, code)
	}
	p.click(fmt.Sprintf(`[data-testid="reinspect-%d"]`, n.ID))
	noFutureDay(p, "re-date", today) // 复查日期 likewise
	p.typeInto(field("re-reason"), "复查合格，已联网并测试")
	p.click(`[data-testid="re-submit"]`)
	p.waitTextIn(fmt.Sprintf(`[data-testid="status-%d"]`, n.ID), "复查销号")
	p.shot("campus-notice-closed")

	// The officer's schools on the map: the whole registry in scope (a
	// hand count through the API), not a page.
	p.open("/campus/schools")
	p.click(`[data-testid="schools-view"] label:nth-child(2)`)
	p.waitFor("every school on the map", fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid="school-map-count"]'); return !!el && el.dataset.points === '%d' })()`, mine.Total))
	noSideways(p, "the schools map")
	p.shot("campus-schools-map")

	// The commander's statistics page, on the phone too, moves by one.
	cp.open("/campus/stats")
	for k, was := range cardsBefore {
		sel := fmt.Sprintf(`[data-testid="campus-card-%s"] .card-n`, k)
		cp.waitFor(fmt.Sprintf("the %s card to read %d", k, was+1), fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.innerText.trim() === '%d' })()`, sel, was+1))
	}
	noSideways(cp, "the statistics page")
	cp.shot("campus-stats-after-375")
	cmd.call("GET", "/reports/campus?from="+today+"&to="+today, nil, &after)
	b, a := before.Figures, after.Figures
	if a.H.Value != b.H.Value+1 || a.N.Value != b.N.Value+1 || a.C.Value != b.C.Value+1 || a.S.Value != b.S.Value+1 {
		t.Fatalf("statistics moved from %+v to %+v, want +1 school, hazard, notice, closed", b, a)
	}
}

// noSideways fails when the page is wider than the phone: the document
// must not scroll sideways (the shell's header included).
func noSideways(p *page, what string) {
	p.t.Helper()
	p.settle()
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 375 {
		p.shot("too-wide")
		p.fatalf("%s is %d px wide on a 375 px screen", what, w)
	}
}

// noFutureDay checks that the date field id reads today, and that its
// calendar has tomorrow disabled (when tomorrow is in this month; Element
// Plus marks this month's disabled days "disabled", not "available"),
// then picks today, which closes the calendar.
func noFutureDay(p *page, id, today string) {
	p.t.Helper()
	if v := eval[string](p, fmt.Sprintf(`document.querySelector(%q).value`, field(id))); v != today {
		p.fatalf("the field %s reads %q, want today %s", id, v, today)
	}
	d, _ := time.Parse("2006-01-02", today)
	if tomorrow := d.AddDate(0, 0, 1); tomorrow.Month() == d.Month() {
		p.click(field(id))
		panel := `[...document.querySelectorAll('.el-picker-panel.el-date-picker')].find((el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0)`
		p.within(2*time.Second, "the calendar", fmt.Sprintf(`!!(%s)`, panel))
		if !eval[bool](p, fmt.Sprintf(`[...(%s).querySelectorAll('td:not(.prev-month):not(.next-month)')].some((el) => el.innerText.trim() === '%d' && el.classList.contains('disabled'))`, panel, tomorrow.Day())) {
			p.shot("future-day")
			p.fatalf("the calendar of %s offers tomorrow", id)
		}
		// Close it by picking today, as a person would.
		eval[bool](p, fmt.Sprintf(`(() => {
			document.querySelectorAll('[data-e2e-pick]').forEach((el) => el.removeAttribute('data-e2e-pick'))
			const td = [...(%s).querySelectorAll('td:not(.prev-month):not(.next-month):not(.disabled)')].find((el) => el.innerText.trim() === '%d')
			td.setAttribute('data-e2e-pick', '')
			return true
		})()`, panel, d.Day()))
		p.click(`[data-e2e-pick]`)
		p.within(2*time.Second, "the calendar to close", fmt.Sprintf(`!(%s)`, panel))
		if v := eval[string](p, fmt.Sprintf(`document.querySelector(%q).value`, field(id))); v != today {
			p.fatalf("the field %s reads %q after picking today", id, v)
		}
	}
}

// pickDay opens the date picker of the input sel, moves months ahead with
// the calendar's "next month" button and clicks the day, as a person on a
// phone does (the input takes no typing there).
func pickDay(p *page, sel string, months, day int) {
	p.t.Helper()
	p.click(sel)
	panel := `[...document.querySelectorAll('.el-picker-panel.el-date-picker')].find((el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0)`
	p.within(2*time.Second, "the calendar", fmt.Sprintf(`!!(%s)`, panel))
	for range months {
		eval[bool](p, fmt.Sprintf(`(() => { document.querySelectorAll('[data-e2e-pick]').forEach((el) => el.removeAttribute('data-e2e-pick')); const b = (%s).querySelector('button.arrow-right'); b.setAttribute('data-e2e-pick', ''); return true })()`, panel))
		p.click(`[data-e2e-pick]`)
	}
	ok := eval[bool](p, fmt.Sprintf(`(() => {
		document.querySelectorAll('[data-e2e-pick]').forEach((el) => el.removeAttribute('data-e2e-pick'))
		const td = [...(%s).querySelectorAll('td.available:not(.disabled)')].find((el) => el.innerText.trim() === '%d')
		if (!td) return false
		td.setAttribute('data-e2e-pick', '')
		return true
	})()`, panel, day))
	if !ok {
		p.shot("no-day")
		p.fatalf("the calendar of %s offers no day %d", sel, day)
	}
	p.click(`[data-e2e-pick]`)
	p.within(2*time.Second, "the calendar to close", fmt.Sprintf(`!(%s)`, panel))
}

// checkNoticeImage draws the notice PDF (base64) as a PNG with pdftoppm
// and checks it is a page with ink on it: text over at least 1% of it
// and the red rule across the page in its top third. The image is kept in
// the artifacts to be looked at.
func checkNoticeImage(t *testing.T, b64, number string) {
	t.Helper()
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("the downloaded notice is not a PDF (%v): %.20q", err, pdf)
	}
	dir := artifactsDir(t)
	pdfPath := filepath.Join(dir, "campus-notice.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-png", "-r", "80", "-singlefile", pdfPath, filepath.Join(dir, "campus-notice")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "campus-notice.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the notice image: %v", err)
	}
	bb := img.Bounds()
	var ink, all, ruleRow int
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		red := 0
		for x := bb.Min.X; x < bb.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			all++
			if r < 200 || g < 200 || b < 200 {
				ink++
			}
			if r > 150 && g < 90 && b < 90 {
				red++
			}
		}
		if ruleRow == 0 && red*10 > bb.Dx()*6 {
			ruleRow = y // the red rule under the number runs across the page
		}
	}
	// A4 upright; text over at least 1% of the page; the rule in its top third.
	if bb.Dx() < 500 || bb.Dy() < bb.Dx() || ink*100 < all || ruleRow == 0 || ruleRow > bb.Dy()/3 {
		t.Fatalf("the notice %s renders %dx%d with %d of %d pixels inked, the red rule at row %d: blank or not the layout", number, bb.Dx(), bb.Dy(), ink, all, ruleRow)
	}
	t.Logf("notice %s drawn %dx%d, %.1f%% inked, the red rule at row %d: %s", number, bb.Dx(), bb.Dy(), float64(ink)*100/float64(all), ruleRow, filepath.Join(dir, "campus-notice.png"))
}
