package open311

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

func TestParseRequestForm(t *testing.T) {
	v, _ := url.ParseQuery("api_key=k&service_code=flying_lead&lat=36.6512&long=117.1201&attribute[cable_from]=window" +
		"&attribute[blocking][]=exit&attribute[blocking][]=stairs&attribute[blocking]=hydrant&attribute[bad key]=x&zzz=1&first_name=A&phone=139")
	n, err := ParseRequestForm(v)
	if err != nil {
		t.Fatal(err)
	}
	if n.ServiceCode != "flying_lead" || n.Lat != "36.6512" || n.Long != "117.1201" || n.FirstName != "A" || n.Phone != "139" {
		t.Errorf("%+v", n)
	}
	// attribute[x] sorts before attribute[x][]: hydrant first.
	if strings.Join(n.Attributes["blocking"], ",") != "hydrant,exit,stairs" || n.Attributes["cable_from"][0] != "window" || len(n.Attributes) != 2 {
		t.Errorf("attributes %v", n.Attributes)
	}
	for _, bad := range []string{"lat=36.6&long=117.1", "service_code=x&lat=1e2&long=117", "service_code=x&lat=36.6&long=", "service_code=x&lat=%2B36.6&long=117",
		"service_code=x&lat=36.6&long=117.1.2"} {
		v, _ := url.ParseQuery(bad)
		if _, err := ParseRequestForm(v); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestParseRequestQuery(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	q, err := ParseRequestQuery(url.Values{}, now)
	if err != nil || !q.End.Equal(now) || !q.Start.Equal(now.Add(-90*24*time.Hour)) {
		t.Errorf("default window %v %v %v", q.Start, q.End, err)
	}
	q, err = ParseRequestQuery(url.Values{"service_request_id": {"3, 7"}, "status": {"bogus"}}, now)
	if err != nil || len(q.IDs) != 2 || q.IDs[1] != 7 {
		t.Errorf("ids (other parameters ignored) %v %v", q.IDs, err)
	}
	if _, err := ParseRequestQuery(url.Values{"service_request_id": {"3,x"}}, now); zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
		t.Errorf("malformed id: %v", err)
	}
	q, err = ParseRequestQuery(url.Values{"start_date": {"2026-11-01T00:00:00+08:00"}, "status": {"open,closed"}, "service_code": {"a,b"}}, now)
	if err != nil || q.End.Sub(q.Start) != 90*24*time.Hour || len(q.Statuses) != 2 || len(q.ServiceCodes) != 2 {
		t.Errorf("start only %v %v", q, err)
	}
	for _, bad := range []url.Values{{"start_date": {"2026-01-01T00:00:00Z"}, "end_date": {"2026-06-01T00:00:00Z"}},
		{"start_date": {"2026-06-01T00:00:00Z"}, "end_date": {"2026-05-01T00:00:00Z"}}, {"end_date": {"soon"}}, {"status": {"pending"}}} {
		if _, err := ParseRequestQuery(bad, now); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// FuzzParseRequestForm: any form is read without a panic; what is
// accepted has lat/long that are valid JSON numbers (they are written back
// unchanged) and attribute codes of the allowed shape.
func FuzzParseRequestForm(f *testing.F) {
	for _, s := range []string{
		"service_code=corridor_parking&lat=36.6050&long=117.00500&attribute[reporter_kind]=property&attribute[blocking][]=exit",
		"service_code=flying_lead&address_string=%E6%96%87%E5%8C%96%E4%B8%9C%E8%B7%AF&attribute[cable_from]=window",
		"service_code=x&lat=-90&long=180&attribute[]=1&attribute[a][b]=2&attribute[[x]]=3",
		"service_code=%00&lat=1.&long=.5&attribute[a]=%FF",
		"api_key=zs_x&service_code=other_hazard&address_id=12&attribute[details]=楼道堆放&email=a@b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		n, err := ParseRequestForm(v)
		if err != nil {
			if zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Fatalf("error code %v", err)
			}
			return
		}
		if n.Lat != "" {
			var x float64
			if json.Unmarshal([]byte(n.Lat), &x) != nil || json.Unmarshal([]byte(n.Long), &x) != nil {
				t.Fatalf("accepted lat/long %q %q are not JSON numbers", n.Lat, n.Long)
			}
		}
		for k := range n.Attributes {
			if !attrKeyRE.MatchString("attribute[" + k + "]") {
				t.Fatalf("attribute code %q", k)
			}
		}
		q, _ := ParseRequestQuery(v, time.Unix(1700000000, 0))
		_ = q
	})
}

// The public view of a report masks the phones and ID numbers a citizen
// typed into its free text, the address as well as the description, in
// full width too (review 2026-12-03b, finding 2).
func TestPublicRequestMasksPII(t *testing.T) {
	x := &zhudun.FireReport{ID: 7, ServiceCode: "corridor_parking", Status: zhudun.FireInvestigating,
		Description: "楼道停车 电话１３８１２３４５６７８", Address: "泺源大街5号 联系13812345678", Lat: "36.6512", Long: "117.1201"}
	r := PublicRequest(x, "http://h/open311/v2/media/")
	if r.Description != "楼道停车 电话138****5678" {
		t.Errorf("description %q", r.Description)
	}
	if r.Address != "泺源大街5号 联系138****5678" {
		t.Errorf("address %q", r.Address)
	}
}
