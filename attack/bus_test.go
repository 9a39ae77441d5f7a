package attack

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// TestForgedBusEvents (issue 20.1): someone who can publish on the
// machine's NATS (127.0.0.1:4222, which a server with --nats uses) but holds
// no bus key forges an incident for everyone and moves a unit onto another
// grid. The forged incident never reaches a signed-in dispatcher's stream,
// the unit stays where it was, and each forgery is counted
// (zhudun_bus_rejected_events_total), logged as security.bad_event_mac and
// alerted (page, stream, webhook). The embedded bus opens no port to publish
// on (natsbus TestEmbeddedOpensNoListener), so this runs on the external one.
func TestForgedBusEvents(t *testing.T) {
	hook := startWebhook(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	metrics := l.Addr().String()
	l.Close()
	s := start(t, backend{name: "postgres+nats", pg: true}, "--alert-webhook", hook.url, "--metrics-addr", metrics)
	disp := s.login("lixia.dispatcher")
	audit := s.login("auditadmin")
	feed := record(s.stream(disp))
	alerts := record(s.stream(audit))

	// The forgeries are routed into the dispatcher's own department, so
	// that only the tag stands between them and its stream.
	code, body := call(t, "GET", s.url+"/api/v1/me", disp, "")
	var me struct {
		Dept struct {
			Path string `json:"path"`
		} `json:"dept"`
	}
	if json.Unmarshal([]byte(body), &me); code != 200 || me.Dept.Path == "" {
		t.Fatalf("me: %d %s", code, body)
	}
	code, body = call(t, "GET", s.url+"/api/v1/units?limit=200", disp, "")
	var units struct {
		Items []struct {
			ID       int64    `json:"id"`
			Callsign string   `json:"callsign"`
			Lon      *float64 `json:"lon"`
			Lat      *float64 `json:"lat"`
			Grid     string   `json:"grid"`
		}
	}
	if err := json.Unmarshal([]byte(body), &units); code != 200 || err != nil || len(units.Items) < 2 {
		t.Fatalf("units: %d %s", code, body)
	}
	victim, far := units.Items[0], units.Items[0]
	for _, u := range units.Items[1:] {
		if u.Grid != "" && u.Grid != victim.Grid {
			far = u
			break
		}
	}
	if victim.Grid == "" || far.Grid == victim.Grid {
		t.Fatalf("need two units in different grids: %+v", units.Items[:2])
	}

	nc, err := nats.Connect(natsURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	marker := fmt.Sprintf("伪造地址%d", time.Now().UnixNano())
	forged := func(typ, perm, data, tag string) {
		t.Helper()
		ev, _ := json.Marshal(map[string]any{"id": 990000 + time.Now().UnixNano()%10000, "type": typ, "at": time.Now(),
			"perm": perm, "dept_path": me.Dept.Path, "data": json.RawMessage(data)})
		m := nats.NewMsg("zhudun.events." + typ)
		m.Data = ev
		if tag != "" {
			m.Header.Set("Zhudun-Tag", tag)
		}
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	forged("incident.created", "incident:read", fmt.Sprintf(`{"id":99999,"address":%q,"category":"fire","status":"new"}`, marker), "")
	forged("incident.created", "incident:read", fmt.Sprintf(`{"id":99998,"address":%q,"category":"fire"}`, marker), "v1:"+strings.Repeat("ab", 32))
	forged("unit.position", "unit:read", fmt.Sprintf(`{"id":%d,"callsign":%q,"status":"free","lon":%v,"lat":%v,"position_at":%q}`,
		victim.ID, victim.Callsign, *far.Lon, *far.Lat, time.Now().UTC().Format(time.RFC3339)), "")
	nc.Flush()

	// A genuine incident after the forgeries: once it is on the stream, the
	// forgeries had their chance.
	code, body = call(t, "POST", s.url+"/api/v1/incidents", disp, fmt.Sprintf(`{"category":"fire","lon":%v,"lat":%v,"address":"真实地址"}`, *victim.Lon, *victim.Lat))
	if code != 201 {
		t.Fatalf("incident: %d %s", code, body)
	}
	checkFor(t, 10*time.Second, "the genuine incident on the dispatcher's stream", func() bool { return strings.Contains(feed.text(), "真实地址") })
	if strings.Contains(feed.text(), marker) {
		t.Errorf("a forged incident reached the dispatcher's stream:\n%s", feed.text())
	}
	code, body = call(t, "GET", fmt.Sprintf("%s/api/v1/units/%d", s.url, victim.ID), disp, "")
	if code != 200 || !strings.Contains(body, `"grid":"`+victim.Grid+`"`) {
		t.Errorf("unit %s after a forged unit.position into grid %s: %d %s (was in %s)", victim.Callsign, far.Grid, code, body, victim.Grid)
	}
	checkFor(t, 10*time.Second, "security.bad_event_mac in the log", func() bool { return len(s.logRecords("security.bad_event_mac")) >= 3 })
	if strings.Contains(s.logs.String(), marker) {
		t.Error("a forged payload reached the log")
	}
	_, m := call(t, "GET", "http://"+metrics+"/metrics", "", "")
	var n float64
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, "zhudun_bus_rejected_events_total") {
			fmt.Sscan(strings.Fields(l)[len(strings.Fields(l))-1], &n)
		}
	}
	if n < 3 {
		t.Errorf("zhudun_bus_rejected_events_total = %v, want ≥ 3 (other servers on the shared NATS add theirs)", n)
	}
	if code, body := call(t, "GET", s.url+"/api/v1/alerts", audit, ""); code != 200 || !strings.Contains(body, "security.bad_event_mac") {
		t.Errorf("alerts page: %d %s", code, body)
	}
	checkFor(t, 10*time.Second, "the bad_event_mac alert on the audit administrator's stream", func() bool { return strings.Contains(alerts.text(), "security.bad_event_mac") })
	checkFor(t, 10*time.Second, "the bad_event_mac alert at the webhook", func() bool { return strings.Contains(hook.body.String(), "security.bad_event_mac") })
}
