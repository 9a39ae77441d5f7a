package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/httpapi"
)

// Open311 GeoReport v2 conformance (issue 15, docs/fire.md), written from
// the specification (wiki.open311.org/GeoReport_v2): element and key
// names, types, both formats, filters, errors and tokens.

// fireHarness adds grids A1 (ST1) and B1 (ST2), an Open311 source and the
// fire officers fo1 (ST1) and fo2 (ST2).
func fireHarness(t *testing.T) (*harness, string) {
	return fireHarnessWith(t, nil)
}

// fireHarnessWith is fireHarness with the API's configuration changed by
// cfg.
func fireHarnessWith(t *testing.T, cfg func(*httpapi.Config)) (*harness, string) {
	h := newHarnessWith(t, cfg)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	grid := func(code, st string, lon, lat float64) *zhudun.Grid {
		d := 0.01
		return &zhudun.Grid{Code: code, StationCode: st, PatrolPoint: [2]float64{lon + d/2, lat + d/2},
			Boundary: [][][][2]float64{{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}}
	}
	if rep, err := h.store.ImportGrids(sys, []*zhudun.Grid{grid("A1", "ST1", 117.00, 36.60), grid("B1", "ST2", 117.00, 36.62)}, nil); err != nil || !rep.Accepted {
		t.Fatalf("grids %+v %v", rep, err)
	}
	_, key, err := h.store.CreateSource(sys, zhudun.NewSource{Name: "wuye-app", Kind: zhudun.SourceOpen311})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, dept string }{{"fo1", "ST1"}, {"fo2", "ST2"}} {
		nu, err := h.store.CreateUser(sys, zhudun.NewUser{Username: u.name, DeptCode: u.dept, Password: pw, Own: true, Roles: []string{zhudun.RoleFireOfficer}})
		if err != nil {
			t.Fatal(err)
		}
		h.users[u.name] = nu
		h.tokens[u.name] = h.login(u.name, pw)
	}
	return h, key
}

func (h *harness) get311(path string) response {
	h.t.Helper()
	return h.do("", "GET", "/open311/v2/"+path, nil)
}

func (h *harness) post311(format string, form url.Values) response {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+"/open311/v2/requests."+format, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send("", req)
}

func reportForm(key string) url.Values {
	return url.Values{"api_key": {key}, "jurisdiction_id": {"jinan.gov.cn"}, "service_code": {"corridor_parking"},
		"lat": {"36.6050"}, "long": {"117.00500"}, "description": {"3号楼2单元楼道停放电动车5辆，联系人电话13905310001"},
		"attribute[reporter_kind]": {"property"}, "attribute[place_kind]": {"residential"},
		"attribute[blocking][]": {"exit", "stairs"}, "attribute[floor]": {"3"},
		"email": {"wang@example.com"}, "first_name": {"建国"}, "last_name": {"王"}, "phone": {"13905310001"},
		"account_id": {"acct-77"}, "device_id": {"dev-1"}, "some_extension": {"ignored"}}
}

// errorList reads the spec's error list in either format.
func errorList(t *testing.T, r response, format string) []struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
} {
	t.Helper()
	type e = struct {
		Code        int    `xml:"code" json:"code"`
		Description string `xml:"description" json:"description"`
	}
	if format == "xml" {
		var doc struct {
			XMLName xml.Name `xml:"errors"`
			Errors  []e      `xml:"error"`
		}
		if err := xml.Unmarshal(r.body, &doc); err != nil {
			t.Fatalf("error body %s: %v", r.body, err)
		}
		return doc.Errors
	}
	var out []e
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	return out
}

func wantError(t *testing.T, r response, format string, status int, contains string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.body)
		return
	}
	es := errorList(t, r, format)
	if len(es) != 1 || es[0].Code != status || es[0].Description == "" || !strings.Contains(es[0].Description, contains) {
		t.Errorf("errors %+v, want code %d mentioning %q", es, status, contains)
	}
}

func TestOpen311Services(t *testing.T) {
	h, _ := fireHarness(t)
	r := h.get311("services.json")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("services.json %d %s", r.status, r.header.Get("Content-Type"))
	}
	var list []map[string]any
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	codes := []string{}
	for _, s := range list {
		for _, k := range []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
			if _, ok := s[k]; !ok {
				t.Errorf("service %v lacks %s", s["service_code"], k)
			}
		}
		if s["metadata"] != true || s["type"] != "realtime" {
			t.Errorf("service %v metadata %v type %v", s["service_code"], s["metadata"], s["type"])
		}
		codes = append(codes, s["service_code"].(string))
	}
	if strings.Join(codes, ",") != "corridor_parking,corridor_charging,flying_lead,indoor_charging,other_hazard" {
		t.Errorf("codes %v", codes)
	}
	x := h.get311("services.xml")
	if x.status != 200 || !strings.HasPrefix(x.header.Get("Content-Type"), "text/xml") || !bytes.HasPrefix(x.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("services.xml %d %s %.60s", x.status, x.header.Get("Content-Type"), x.body)
	}
	var raw struct {
		XMLName  xml.Name `xml:"services"`
		Services []struct {
			Code     string `xml:"service_code"`
			Name     string `xml:"service_name"`
			Metadata string `xml:"metadata"`
			Type     string `xml:"type"`
			Group    string `xml:"group"`
			Keywords string `xml:"keywords"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal(x.body, &raw); err != nil || len(raw.Services) != 5 || raw.Services[2].Code != "flying_lead" ||
		raw.Services[2].Metadata != "true" || raw.Services[2].Type != "realtime" || raw.Services[2].Group == "" || raw.Services[2].Keywords == "" {
		t.Errorf("services.xml %+v %v", raw, err)
	}
	if r := h.get311("services.html"); r.status != 404 {
		t.Errorf("services.html: %d", r.status)
	}
}

func TestOpen311Definitions(t *testing.T) {
	h, _ := fireHarness(t)
	datatypes := map[string]bool{"string": true, "number": true, "datetime": true, "text": true, "singlevaluelist": true, "multivaluelist": true}
	for _, s := range zhudun.FireServices {
		r := h.get311("services/" + s.Code + ".json")
		var d struct {
			ServiceCode string           `json:"service_code"`
			Attributes  []map[string]any `json:"attributes"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &d) != nil || d.ServiceCode != s.Code || len(d.Attributes) == 0 {
			t.Fatalf("%s definition %d %s", s.Code, r.status, r.body)
		}
		for _, a := range d.Attributes {
			for _, k := range []string{"variable", "code", "datatype", "required", "datatype_description", "order", "description"} {
				if _, ok := a[k]; !ok {
					t.Errorf("%s/%v lacks %s", s.Code, a["code"], k)
				}
			}
			if !datatypes[a["datatype"].(string)] {
				t.Errorf("%s/%v datatype %v", s.Code, a["code"], a["datatype"])
			}
			if _, ok := a["order"].(float64); !ok {
				t.Errorf("order %T", a["order"])
			}
			if _, ok := a["required"].(bool); !ok {
				t.Errorf("required %T", a["required"])
			}
			if dt := a["datatype"]; dt == "singlevaluelist" || dt == "multivaluelist" {
				vs, _ := a["values"].([]any)
				if len(vs) == 0 {
					t.Errorf("%s/%v list without values", s.Code, a["code"])
				}
				for _, v := range vs {
					m := v.(map[string]any)
					if m["key"] == nil || m["name"] == nil {
						t.Errorf("value %v", m)
					}
				}
			}
		}
	}
	x := h.get311("services/flying_lead.xml")
	var d struct {
		XMLName     xml.Name `xml:"service_definition"`
		ServiceCode string   `xml:"service_code"`
		Attributes  []struct {
			Variable            string `xml:"variable"`
			Code                string `xml:"code"`
			Datatype            string `xml:"datatype"`
			Required            string `xml:"required"`
			DatatypeDescription string `xml:"datatype_description"`
			Order               int    `xml:"order"`
			Description         string `xml:"description"`
			Values              []struct {
				Key  string `xml:"key"`
				Name string `xml:"name"`
			} `xml:"values>value"`
		} `xml:"attributes>attribute"`
	}
	if err := xml.Unmarshal(x.body, &d); err != nil || d.ServiceCode != "flying_lead" || len(d.Attributes) != 8 {
		t.Fatalf("definition xml %v %s", err, x.body)
	}
	cable := d.Attributes[7]
	if cable.Code != "cable_from" || cable.Datatype != "singlevaluelist" || cable.Required != "true" || cable.Variable != "true" ||
		cable.Order != 8 || len(cable.Values) != 4 || cable.Values[0].Key != "window" || cable.Values[0].Name == "" {
		t.Errorf("cable_from %+v", cable)
	}
	for _, f := range []string{"json", "xml"} {
		wantError(t, h.get311("services/graffiti."+f), f, 404, "graffiti")
	}
}

func TestOpen311PostAndRead(t *testing.T) {
	h, key := fireHarness(t)
	// JSON.
	r := h.post311("json", reportForm(key))
	if r.status != 200 {
		t.Fatalf("post %d %s", r.status, r.body)
	}
	var created []map[string]any
	if err := json.Unmarshal(r.body, &created); err != nil || len(created) != 1 {
		t.Fatalf("post answer %s", r.body)
	}
	id, _ := created[0]["service_request_id"].(string)
	token, _ := created[0]["token"].(string)
	if id == "" || len(token) != 32 || created[0]["service_notice"] == "" || created[0]["account_id"] != "acct-77" {
		t.Errorf("post answer %v", created[0])
	}
	// XML, without account_id.
	form := reportForm(key)
	form.Del("account_id")
	form.Set("service_code", "flying_lead")
	form.Set("attribute[cable_from]", "window")
	form.Set("lat", "36.6251")
	form.Set("long", "117.0049")
	x := h.post311("xml", form)
	var xc struct {
		XMLName xml.Name `xml:"service_requests"`
		Req     []struct {
			ID        string  `xml:"service_request_id"`
			Token     string  `xml:"token"`
			Notice    string  `xml:"service_notice"`
			AccountID *string `xml:"account_id"`
		} `xml:"request"`
	}
	if x.status != 200 || xml.Unmarshal(x.body, &xc) != nil || len(xc.Req) != 1 || xc.Req[0].ID == "" || xc.Req[0].Notice == "" {
		t.Fatalf("post xml %d %s", x.status, x.body)
	}
	id2 := xc.Req[0].ID
	if !bytes.Contains(x.body, []byte("<account_id></account_id>")) {
		t.Errorf("post xml without its account_id element: %s", x.body)
	}

	// Read back: every field of the spec, lat/long as sent, no personal data.
	g := h.get311("requests/" + id + ".json")
	if g.status != 200 {
		t.Fatalf("get %d %s", g.status, g.body)
	}
	var got []map[string]any
	json.Unmarshal(g.body, &got)
	if len(got) != 1 {
		t.Fatalf("get %s", g.body)
	}
	for _, k := range []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
		"service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("request lacks %s", k)
		}
	}
	if got[0]["status"] != "open" || got[0]["service_code"] != "corridor_parking" || got[0]["agency_responsible"] != "一所" || got[0]["status_notes"] == "" {
		t.Errorf("request %v", got[0])
	}
	if !bytes.Contains(g.body, []byte(`"lat":36.6050`)) || !bytes.Contains(g.body, []byte(`"long":117.00500`)) {
		t.Errorf("lat/long not as sent: %s", g.body)
	}
	w3c := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)
	if !w3c.MatchString(got[0]["requested_datetime"].(string)) || !w3c.MatchString(got[0]["updated_datetime"].(string)) {
		t.Errorf("datetimes %v %v", got[0]["requested_datetime"], got[0]["updated_datetime"])
	}
	for _, secret := range []string{"13905310001", "wang@example.com", "建国", "acct-77", "dev-1", "property"} {
		if bytes.Contains(g.body, []byte(secret)) {
			t.Errorf("public read shows %q: %s", secret, g.body)
		}
	}
	gx := h.get311("requests/" + id2 + ".xml")
	for _, el := range []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
		"service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"} {
		if !bytes.Contains(gx.body, []byte("<"+el+">")) && !bytes.Contains(gx.body, []byte("<"+el+"></"+el+">")) {
			t.Errorf("request xml lacks <%s>", el)
		}
	}
	var rxe struct {
		XMLName xml.Name `xml:"service_requests"`
		Req     []struct {
			ID     string `xml:"service_request_id"`
			Status string `xml:"status"`
			Lat    string `xml:"lat"`
			Long   string `xml:"long"`
			Code   string `xml:"service_code"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(gx.body, &rxe); err != nil || len(rxe.Req) != 1 || rxe.Req[0].ID != id2 || rxe.Req[0].Lat != "36.6251" ||
		rxe.Req[0].Long != "117.0049" || rxe.Req[0].Code != "flying_lead" || rxe.Req[0].Status != "open" {
		t.Errorf("request xml %v %s", err, gx.body)
	}
	// Unknown and malformed ids are 404 in both formats.
	for _, f := range []string{"json", "xml"} {
		wantError(t, h.get311("requests/99999."+f), f, 404, "not found")
		wantError(t, h.get311("requests/abc."+f), f, 404, "not found")
	}

	// Tokens.
	tk := h.get311("tokens/" + token + ".json")
	var tl []map[string]string
	if json.Unmarshal(tk.body, &tl) != nil || len(tl) != 1 || tl[0]["service_request_id"] != id || tl[0]["token"] != token {
		t.Errorf("token %d %s", tk.status, tk.body)
	}
	tx := h.get311("tokens/" + xc.Req[0].Token + ".xml")
	if !bytes.Contains(tx.body, []byte("<service_request_id>"+id2+"</service_request_id>")) || !bytes.Contains(tx.body, []byte("<token>"+xc.Req[0].Token+"</token>")) {
		t.Errorf("token xml %s", tx.body)
	}
	wantError(t, h.get311("tokens/0123456789abcdef0123456789abcdef.json"), "json", 404, "not found")

	// Filters.
	ids := func(path string) []string {
		t.Helper()
		r := h.get311(path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var xs []map[string]any
		json.Unmarshal(r.body, &xs)
		var out []string
		for _, x := range xs {
			out = append(out, x["service_request_id"].(string))
		}
		return out
	}
	both := id2 + "," + id // newest first
	if got := strings.Join(ids("requests.json"), ","); got != both {
		t.Errorf("requests.json %s, want %s", got, both)
	}
	if got := strings.Join(ids("requests.json?service_request_id="+id+","+id2), ","); got != both {
		t.Errorf("by ids %s", got)
	}
	if got := strings.Join(ids("requests.json?service_code=flying_lead"), ","); got != id2 {
		t.Errorf("by code %s", got)
	}
	if got := ids("requests.json?status=closed"); len(got) != 0 {
		t.Errorf("closed %v", got)
	}
	if got := strings.Join(ids("requests.json?status=open&jurisdiction_id=jinan.gov.cn"), ","); got != both {
		t.Errorf("open %s", got)
	}
	if got := ids("requests.json?start_date=2020-01-01T00:00:00%2B08:00&end_date=2020-02-01T00:00:00%2B08:00"); len(got) != 0 {
		t.Errorf("old window %v", got)
	}
	wantError(t, h.get311("requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z"), "json", 400, "90 days")
	wantError(t, h.get311("requests.xml?start_date=yesterday"), "xml", 400, "start_date")
	wantError(t, h.get311("requests.json?status=pending"), "json", 400, "status")
}

func TestOpen311Errors(t *testing.T) {
	h, key := fireHarness(t)
	for _, f := range []string{"json", "xml"} {
		form := reportForm("zs_wrong")
		wantError(t, h.post311(f, form), f, 403, "api_key")
		form.Del("api_key")
		wantError(t, h.post311(f, form), f, 403, "api_key")
		bad := reportForm(key)
		bad.Del("attribute[reporter_kind]")
		wantError(t, h.post311(f, bad), f, 400, "attribute[reporter_kind]")
		bad = reportForm(key)
		bad.Set("service_code", "graffiti")
		wantError(t, h.post311(f, bad), f, 400, "service_code")
		bad = reportForm(key)
		bad.Set("lat", "36.6,5")
		wantError(t, h.post311(f, bad), f, 400, "lat")
		bad = reportForm(key)
		bad.Set("attribute[blocking][]", "roof")
		wantError(t, h.post311(f, bad), f, 400, "blocking")
	}
	// A web client of another origin posts (its key is in the form, no
	// cookie rides along) and reads.
	req, _ := http.NewRequest("POST", h.srv.URL+"/open311/v2/requests.json", strings.NewReader(reportForm(key).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://wuye.example.com")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := h.send("", req); r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("cross-origin post: %d %s", r.status, r.body)
	}
	// The API's own routes still refuse cross-site writes.
	req, _ = http.NewRequest("POST", h.srv.URL+"/api/v1/fire/reports/1/steps", strings.NewReader(`{"action":"dissuade","note":"劝离"}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := h.send("fo1", req); r.status != 403 {
		t.Errorf("cross-site API write: %d", r.status)
	}
	// A carrier's key is not an Open311 client's.
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	_, ckey, err := h.store.CreateSource(sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, h.post311("json", reportForm(ckey)), "json", 403, "api_key")
	// Nothing was stored by any refused post (one cross-origin post was taken).
	if xs, _ := h.store.PublicFireReports(context.Background(), zhudun.FireFilter{}); len(xs) != 1 {
		t.Errorf("%d reports stored, want the one accepted", len(xs))
	}
	// Only the address: placed at the standard address.
	if err := h.store.ReplaceAddresses(sys, []zhudun.AddressMatch{{Address: "历下区文化东路5号", District: "370102", Lon: 117.003, Lat: 36.622}}); err != nil {
		t.Fatal(err)
	}
	form := reportForm(key)
	form.Del("lat")
	form.Del("long")
	form.Set("address_string", "文化东路5号")
	r := h.post311("json", form)
	var c []map[string]any
	json.Unmarshal(r.body, &c)
	if r.status != 200 || len(c) != 1 {
		t.Fatalf("by address %d %s", r.status, r.body)
	}
	g := h.get311(fmt.Sprintf("requests/%s.json", c[0]["service_request_id"]))
	if !bytes.Contains(g.body, []byte(`"lat":36.622`)) || !bytes.Contains(g.body, []byte(`"agency_responsible":"二所"`)) || !bytes.Contains(g.body, []byte(`"address":"文化东路5号"`)) {
		t.Errorf("by address %s", g.body)
	}
}

// jpegBytes is a minimal JPEG with an EXIF segment (to be stripped).
func jpegBytes(n int) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 10, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P', 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xDA, 0, 2}
	b = append(b, bytes.Repeat([]byte{1}, n)...)
	return append(b, 0xFF, 0xD9)
}

func (h *harness) postMultipart(form url.Values, media []byte, mediaName string) response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if media != nil {
		fw, _ := mw.CreateFormFile("media", mediaName)
		fw.Write(media)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+"/open311/v2/requests.json", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.send("", req)
}

func TestOpen311Media(t *testing.T) {
	h, key := fireHarness(t)
	r := h.postMultipart(reportForm(key), jpegBytes(100), "corridor.jpg")
	var c []map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &c) != nil {
		t.Fatalf("multipart %d %s", r.status, r.body)
	}
	g := h.get311(fmt.Sprintf("requests/%s.json", c[0]["service_request_id"]))
	var got []map[string]any
	json.Unmarshal(g.body, &got)
	mu, _ := got[0]["media_url"].(string)
	if !strings.HasPrefix(mu, h.srv.URL+"/open311/v2/media/") {
		t.Fatalf("media_url %q", mu)
	}
	res, err := http.Get(mu)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || bytes.Contains(body.Bytes(), []byte("Exif")) || body.Len() < 100 {
		t.Errorf("media %d %s %d bytes, exif %v", res.StatusCode, res.Header.Get("Content-Type"), body.Len(), bytes.Contains(body.Bytes(), []byte("Exif")))
	}
	// Not an image: 400. Over 10 MiB: 413. Exactly 10 MiB of file: taken.
	wantError(t, h.postMultipart(reportForm(key), []byte("GIF89a......"), "x.gif"), "json", 400, "media")
	wantError(t, h.postMultipart(reportForm(key), jpegBytes(10<<20), "big.jpg"), "json", 413, "10 MiB")
	if r := h.postMultipart(reportForm(key), jpegBytes(10<<20-40), "max.jpg"); r.status != 200 {
		t.Errorf("10 MiB photo: %d %s", r.status, r.body)
	}
	// A client's own media_url is returned as given.
	form := reportForm(key)
	form.Set("media_url", "https://img.example.com/a.jpg")
	r = h.post311("json", form)
	json.Unmarshal(r.body, &c)
	g = h.get311(fmt.Sprintf("requests/%s.json", c[0]["service_request_id"]))
	if !bytes.Contains(g.body, []byte(`"media_url":"https://img.example.com/a.jpg"`)) {
		t.Errorf("client media_url %s", g.body)
	}
}

// TestOpen311MediaNoTempFile: a photo is read into memory, never into a
// temporary file where it would lie in clear with its metadata (review
// 2026-12-03b, finding 3; ParseMultipartForm spills a part over 1 MiB to
// disk). The body is held open after 3 MiB of the photo so that the
// temporary directory is looked at while the request is being read.
func TestOpen311MediaNoTempFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h, key := fireHarness(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	release := make(chan struct{})
	photo := jpegBytes(10<<20 - 40)
	go func() {
		for k, vs := range reportForm(key) {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("media", "corridor.jpg")
		fw.Write(photo[:9<<20])
		<-release
		fw.Write(photo[9<<20:])
		mw.Close()
		pw.Close()
	}()
	done := make(chan response, 1)
	go func() {
		req, _ := http.NewRequest("POST", h.srv.URL+"/open311/v2/requests.json", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- response{status: -1, body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- response{status: res.StatusCode, body: b}
	}()
	// While the last MiB is held back the server has read the rest (the
	// socket's buffers hold a few MiB at most): a temporary file would be
	// there by now.
	var spilled []string
	for deadline := time.Now().Add(2 * time.Second); len(spilled) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		spilled, _ = filepath.Glob(filepath.Join(tmp, "*"))
	}
	close(release)
	if len(spilled) != 0 {
		t.Errorf("the photo went to temporary files: %v", spilled)
	}
	if r := <-done; r.status != 200 {
		t.Fatalf("post %d %s", r.status, r.body)
	}
	// A second file is refused.
	var buf bytes.Buffer
	mw = multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("media", "a.jpg")
	fw.Write(jpegBytes(10))
	fw, _ = mw.CreateFormFile("media", "b.jpg")
	fw.Write(jpegBytes(10))
	for k, vs := range reportForm(key) {
		mw.WriteField(k, vs[0])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+"/open311/v2/requests.json", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	wantError(t, h.send("", req), "json", 400, "one file")
}

// TestSlowPublicBodiesHoldNoWriteSlot: anonymous clients sending Open311
// posts or sign-ins slowly hold intake slots — two (Open311) or eight
// (sign-in) per address, answered 503 past them — and never the write
// slots every sign-in and dispatch needs (review 2026-12-03b, finding 5:
// forty such connections from one address made every write of the
// platform 503 for a minute).
func TestSlowPublicBodiesHoldNoWriteSlot(t *testing.T) {
	h, _ := fireHarnessWith(t, func(c *httpapi.Config) { c.MaxInFlight, c.AdmitWait = 4, 300*time.Millisecond })
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	slow := func(n int, path, ctype, first string) (refused int) {
		t.Helper()
		for range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\n%s", path, ctype, first)
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			if line, _ := bufio.NewReader(c).ReadString('\n'); strings.HasPrefix(line, "HTTP/1.1 503") {
				refused++
			}
		}
		return refused
	}
	if n := slow(6, "/open311/v2/requests.json", "application/x-www-form-urlencoded", "a"); n != 4 {
		t.Errorf("%d of 6 slow Open311 posts from one address refused, want 4 (two held)", n)
	}
	if r := h.do("", "POST", "/api/v1/auth/login", map[string]string{"username": "fo2", "password": pw}); r.status != 200 {
		t.Fatalf("sign-in while slow Open311 posts are held: %d %s", r.status, r.body)
	}
	if n := slow(10, "/api/v1/auth/login", "application/json", "{"); n != 2 {
		t.Errorf("%d of 10 slow sign-ins from one address refused, want 2 (eight held)", n)
	}
	if r := h.do("fo1", "POST", "/api/v1/auth/logout", nil); r.status/100 != 2 {
		t.Fatalf("a write while slow sign-ins are held: %d %s", r.status, r.body)
	}
}

// TestFireEscalationOverHTTP: a report posted through Open311, seen and
// handled by its station's officer, closed with a note in Open311; the
// other station's officer sees none of it.
func TestFireEscalationOverHTTP(t *testing.T) {
	h, key := fireHarness(t)
	r := h.post311("json", reportForm(key))
	var c []map[string]any
	json.Unmarshal(r.body, &c)
	id := c[0]["service_request_id"].(string)
	if l := h.do("fo1", "GET", "/api/v1/fire/reports", nil); l.status != 200 || l.total() != 1 {
		t.Fatalf("fo1 list %d %s", l.status, l.body)
	}
	if l := h.do("fo2", "GET", "/api/v1/fire/reports", nil); l.status != 200 || l.total() != 0 {
		t.Errorf("fo2 list %d %s", l.status, l.body)
	}
	if g := h.do("fo2", "GET", "/api/v1/fire/reports/"+id, nil); g.status != 404 {
		t.Errorf("fo2 reads: %d", g.status)
	}
	if g := h.do("fo2", "POST", "/api/v1/fire/reports/"+id+"/steps", map[string]any{"action": "dissuade", "note": "劝离"}); g.status != 404 {
		t.Errorf("fo2 steps: %d", g.status)
	}
	if g := h.do("fo1", "POST", "/api/v1/fire/reports/"+id+"/steps", map[string]any{"action": "penalize", "note": "处罚",
		"decision": "济公消行罚决字〔2026〕1号", "amount_fen": 50000, "legal_basis": "fire_law_60"}); g.status != 409 {
		t.Errorf("penalty before an order: %d %s", g.status, g.body)
	}
	g := h.do("fo1", "GET", "/api/v1/fire/reports/"+id, nil)
	if !bytes.Contains(g.body, []byte(`"phone_masked":"139****0001"`)) || bytes.Contains(g.body, []byte("13905310001\"")) {
		t.Errorf("officer view %s", g.body)
	}
	deadline := zhudunToday()
	for _, st := range []map[string]any{
		{"action": "dissuade", "note": "现场劝离，物业承诺清理"},
		{"action": "order", "note": "下达责令改正通知", "deadline": deadline, "legal_basis": "fire_law_28"},
		{"action": "penalize", "note": "拒不改正，依法处罚", "decision": "济公消行罚决字〔2026〕1号", "amount_fen": 50000, "legal_basis": "fire_law_60"},
	} {
		if s := h.do("fo1", "POST", "/api/v1/fire/reports/"+id+"/steps", st); s.status != 200 {
			t.Fatalf("%v: %d %s", st["action"], s.status, s.body)
		}
		if st["action"] == "order" {
			// While ordered, the deadline's end is the expected datetime.
			if g := h.get311("requests/" + id + ".json"); !bytes.Contains(g.body, []byte(`"expected_datetime":"`+deadline+`T23:59:59+08:00"`)) ||
				!bytes.Contains(g.body, []byte(`"status":"open"`)) {
				t.Errorf("ordered in Open311: %s", g.body)
			}
		}
	}
	pub := h.get311("requests/" + id + ".json")
	var got []map[string]any
	json.Unmarshal(pub.body, &got)
	if got[0]["status"] != "closed" || got[0]["status_notes"] != zhudun.FireStatusNote(zhudun.FirePenalized) {
		t.Errorf("closed in Open311? %s", pub.body)
	}
	for _, internal := range []string{"济公消", "50000", "fire_law", "拒不改正，依法处罚"} {
		if bytes.Contains(pub.body, []byte(internal)) {
			t.Errorf("Open311 shows internal detail %q", internal)
		}
	}
	// The statistics: keys, one decimal, null change when last year is 0.
	st := h.do("fo1", "GET", "/api/v1/reports/fire?from="+deadline+"&to="+deadline, nil)
	var rep struct {
		Figures map[string]json.RawMessage `json:"figures"`
	}
	json.Unmarshal(st.body, &rep)
	for _, k := range []string{"reports", "dissuaded", "referred", "ordered", "corrected", "penalties", "penalty_fen", "repeat_locations"} {
		var f struct {
			Value     *float64 `json:"value"`
			LastYear  *float64 `json:"last_year"`
			ChangePct *float64 `json:"change_pct"`
		}
		if err := json.Unmarshal(rep.Figures[k], &f); err != nil || f.Value == nil || f.LastYear == nil || f.ChangePct != nil ||
			!bytes.Contains(rep.Figures[k], []byte(`"change_pct":null`)) {
			t.Errorf("figure %s = %s", k, rep.Figures[k])
		}
	}
	if !bytes.Contains(rep.Figures["penalty_fen"], []byte(`"value":50000`)) || !bytes.Contains(rep.Figures["reports"], []byte(`"value":1`)) {
		t.Errorf("figures %s %s", rep.Figures["penalty_fen"], rep.Figures["reports"])
	}
	if st := h.do("fo2", "GET", "/api/v1/reports/fire?from="+deadline+"&to="+deadline, nil); !bytes.Contains(st.body, []byte(`"reports":{"value":0`)) {
		t.Errorf("fo2's figures count ST1: %s", st.body)
	}
	x := h.do("fo1", "GET", "/api/v1/reports/fire?from="+deadline+"&to="+deadline+"&format=xlsx", nil)
	if x.status != 200 || !bytes.HasPrefix(x.body, []byte("PK")) {
		t.Errorf("xlsx %d", x.status)
	}
	if d := h.do("fo1", "GET", "/api/v1/dictionaries/fire", nil); d.status != 200 || !bytes.Contains(d.body, []byte(`"ordered":["correct","penalize","criminal"]`)) {
		t.Errorf("dictionaries %s", d.body)
	}
	if d := h.do("ana1", "GET", "/api/v1/fire/reports", nil); d.status != 403 {
		t.Errorf("analyst lists fire reports: %d", d.status)
	}
}

func zhudunToday() string {
	return zhudun.FormatW3CTime(timeNowForTest())[:10]
}

func timeNowForTest() time.Time { return time.Now() }

// fakeGeocoder is the bureau's standard-address service in a test: one
// address it knows, in ST2's grid.
type fakeGeocoder struct{ asked []string }

func (g *fakeGeocoder) Geocode(_ context.Context, q string, _ int) ([]zhudun.AddressMatch, error) {
	g.asked = append(g.asked, q)
	if q != "历下区解放路88号" {
		return nil, nil
	}
	return []zhudun.AddressMatch{{Address: "济南市历下区解放路88号", Lon: 117.005, Lat: 36.625}}, nil
}

// TestOpen311Geocoder: with a standard-address service configured, a
// report naming only address_string is placed at its match (in ST2's
// grid), lat/long returned as placed; an address it does not know falls
// to the local table and is refused by name; a report with lat/long is
// not geocoded.
func TestOpen311Geocoder(t *testing.T) {
	h, key := fireHarness(t)
	g := &fakeGeocoder{}
	api := httpapi.New(httpapi.Config{Store: h.store, Version: "test", Geocoder: g})
	if err := api.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.srv.Close()
	h.srv = httptest.NewServer(api.Handler())
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { api.Close(context.Background()) })
	form := reportForm(key)
	form.Del("lat")
	form.Del("long")
	form.Set("address_string", "历下区解放路88号")
	r := h.post311("json", form)
	var created []map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &created) != nil || len(created) != 1 {
		t.Fatalf("post by address: %d %s", r.status, r.body)
	}
	id, _ := created[0]["service_request_id"].(string)
	got := h.get311("requests/" + id + ".json")
	if got.status != 200 || !bytes.Contains(got.body, []byte(`"lat":36.625000`)) || !bytes.Contains(got.body, []byte(`"long":117.005000`)) {
		t.Errorf("placed by the geocoder: %d %s", got.status, got.body)
	}
	var rep struct{ Station string }
	decodeInto(t, h.do("fo2", "GET", "/api/v1/fire/reports/"+id, nil), &rep)
	if rep.Station != "ST2" {
		t.Errorf("placed in station %q, want ST2", rep.Station)
	}
	form.Set("address_string", "无此地址1号")
	if r := h.post311("json", form); r.status != 400 || !bytes.Contains(r.body, []byte("standard address")) {
		t.Errorf("an unknown address: %d %s", r.status, r.body)
	}
	if r := h.post311("json", reportForm(key)); r.status != 200 || len(g.asked) != 2 {
		t.Errorf("a report with lat/long: %d, geocoder asked %v", r.status, g.asked)
	}
}
