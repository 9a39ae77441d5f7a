package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCampusInspection (issue 14): a 历下 station officer, on a 375 px
// wide page, opens the demo round's coverage board, inspects one of its
// own schools there (one failed item: the one-key alarm), the hazard gets
// a notice whose PDF downloads, the re-inspection on the page closes it,
// and the sub-bureau commander's statistics move by one hazard, one
// notice, one closed. Another district's officer sees none of the first
// station's schools, by list or id.
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
			ID            int64
			Code, Station string
			StationName   string `json:"station_name"`
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

	p := e.newPage(t, "officer", 375, 812)
	p.login(officer, e.password(officer))
	p.open("/campus/rounds")
	p.waitVisible(`[data-testid="coverage-unreached"]`)
	p.click(fmt.Sprintf(`[data-testid="inspect-%s"]`, school.Code))
	p.waitVisible(`[data-testid="visit-submit"]`)
	p.waitTextIn(`[data-testid="visit-school"]`, "·")
	// The checklist itself fits the phone's width (the shell's header is
	// the shell's: its own overflow is not this page's).
	if r := eval[float64](p, `(() => { const el = document.querySelector('[data-testid="campus-visit"]'); return Math.max(el.getBoundingClientRect().right, el.scrollWidth + el.getBoundingClientRect().left) })()`); r > 375 {
		p.shot("campus-visit-too-wide")
		t.Fatalf("the visit page reaches %v px on a 375 px screen", r)
	}
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
	deadline := time.Now().AddDate(0, 0, 15).Format("2006-01-02")
	var n struct {
		ID     int64
		Number string
	}
	if code := off.call("POST", "/campus/notices", map[string]any{"hazards": []int64{hz.Items[0].ID}, "legal_basis": "internal_security_19",
		"deadline": deadline, "school_rep": "王校长", "officers": []string{"张警官", "李警官"}}, &n); code != 201 {
		t.Fatalf("notice: %d %s", code, off.last)
	}
	p.open("/campus/notices")
	p.waitVisible(fmt.Sprintf(`[data-testid="pdf-%d"]`, n.ID))
	pdf := eval[string](p, fmt.Sprintf(`document.querySelector('[data-testid="pdf-%d"]').getAttribute('href')`, n.ID))
	if code := off.call("GET", strings.TrimPrefix(pdf, "/api/v1"), nil, nil); code != 200 || !strings.HasPrefix(off.last, "%PDF") {
		t.Fatalf("the notice's PDF: %d %.20q", code, off.last)
	}
	if code := oth.call("GET", strings.TrimPrefix(pdf, "/api/v1"), nil, nil); code != 404 {
		t.Fatalf("%s downloads %s's notice: %d", other, officer, code)
	}
	p.click(fmt.Sprintf(`[data-testid="reinspect-%d"]`, n.ID))
	p.typeInto(field("re-reason"), "复查合格，已联网并测试")
	p.click(`[data-testid="re-submit"]`)
	p.waitTextIn(fmt.Sprintf(`[data-testid="status-%d"]`, n.ID), "复查销号")
	p.shot("campus-notice-closed")

	// The officer's schools on the map: a circle each, inside the city.
	p.open("/campus/schools")
	p.click(`[data-testid="schools-view"] label:nth-child(2)`)
	p.waitFor("a circle per school", fmt.Sprintf(`document.querySelectorAll('.zd-school').length === %d`, min(mine.Total, 50)))
	p.shot("campus-schools-map")

	cmd.call("GET", "/reports/campus?from="+today+"&to="+today, nil, &after)
	b, a := before.Figures, after.Figures
	if a.H.Value != b.H.Value+1 || a.N.Value != b.N.Value+1 || a.C.Value != b.C.Value+1 || a.S.Value != b.S.Value+1 {
		t.Fatalf("statistics moved from %+v to %+v, want +1 school, hazard, notice, closed", b, a)
	}
}
