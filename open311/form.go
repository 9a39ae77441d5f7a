// Package open311 speaks Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2)
// for the e-bike fire reports (issue 15, docs/fire.md): it reads a POST
// requests form into a zhudun.NewFireReport and writes services, service
// definitions, requests, tokens and errors in the spec's XML and JSON. It
// decides nothing: the store checks and places the report.
package open311

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// degreesRE is a plain decimal degree: what GeoReport clients send, and
// what can be written back unchanged as a JSON number.
var degreesRE = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,2})(\.[0-9]{1,15})?$`)

// attrKeyRE is attribute[CODE] or attribute[CODE][].
var attrKeyRE = regexp.MustCompile(`^attribute\[([A-Za-z0-9_.-]{1,64})\](\[\])?$`)

// ParseRequestForm reads the form of POST requests: service_code, the
// location (lat/long, address_string or address_id), attribute[CODE] and
// attribute[CODE][] (multivalue lists; repeated keys of either form
// accumulate), the reporter's fields, description and media_url. Fields
// it does not know are ignored, as the spec asks. api_key and
// jurisdiction_id are read by the caller.
func ParseRequestForm(v url.Values) (zhudun.NewFireReport, error) {
	one := func(k string) string {
		if xs := v[k]; len(xs) > 0 {
			return strings.TrimSpace(xs[0])
		}
		return ""
	}
	n := zhudun.NewFireReport{
		ServiceCode: one("service_code"), Description: one("description"),
		Lat: one("lat"), Long: one("long"), AddressText: one("address_string"), AddressID: one("address_id"),
		Zipcode: one("zipcode"), Email: one("email"), DeviceID: one("device_id"), AccountID: one("account_id"),
		FirstName: one("first_name"), LastName: one("last_name"), Phone: one("phone"), MediaURL: one("media_url"),
		Attributes: map[string][]string{},
	}
	if n.ServiceCode == "" {
		return n, zhudun.FieldError("service_code", "service_code is required")
	}
	if (n.Lat != "" || n.Long != "") && (!degreesRE.MatchString(n.Lat) || !degreesRE.MatchString(n.Long)) {
		return n, zhudun.FieldError("lat", "lat and long are decimal degrees, e.g. lat=36.6512&long=117.1201")
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		if strings.HasPrefix(k, "attribute[") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys) // attribute[x] before attribute[x][]: a stable order of values
	if len(keys) > 64 {
		return n, zhudun.FieldError("attribute", "at most 64 attributes")
	}
	for _, k := range keys {
		m := attrKeyRE.FindStringSubmatch(k)
		if m == nil {
			continue // not an attribute this service defines: ignored
		}
		n.Attributes[m[1]] = append(n.Attributes[m[1]], v[k]...)
	}
	return n, nil
}

// RequestQuery is what GET requests asks for.
type RequestQuery struct {
	IDs          []int64
	ServiceCodes []string
	Statuses     []string
	Start, End   time.Time
}

// MaxSpan is the longest window GET requests searches, and its default
// (the most recent 90 days).
const MaxSpan = 90 * 24 * time.Hour

// ParseRequestQuery reads GET requests' parameters: service_request_id
// (a comma list; when given the others are ignored, as the spec says),
// service_code and status (comma lists), start_date and end_date (W3C
// datetimes, at most 90 days apart; by default the 90 days before now).
// A malformed id is ok=false in ids (the caller answers 404 for it).
func ParseRequestQuery(v url.Values, now time.Time) (RequestQuery, error) {
	var q RequestQuery
	split := func(s string) []string {
		var out []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	if ids := split(v.Get("service_request_id")); len(ids) > 0 {
		if len(ids) > 1000 {
			return q, zhudun.FieldError("service_request_id", "at most 1000 ids")
		}
		for _, s := range ids {
			id, ok := ParseID(s)
			if !ok {
				return q, &zhudun.Error{Code: zhudun.ENOTFOUND, Message: "service_request_id " + quoteShort(s) + " not found"}
			}
			q.IDs = append(q.IDs, id)
		}
		return q, nil
	}
	q.ServiceCodes = split(v.Get("service_code"))
	for _, st := range split(v.Get("status")) {
		if st != "open" && st != "closed" {
			return q, zhudun.FieldError("status", "status is open or closed")
		}
		q.Statuses = append(q.Statuses, st)
	}
	var err error
	if s := v.Get("start_date"); s != "" {
		if q.Start, err = zhudun.ParseW3CTime(s); err != nil {
			return q, zhudun.FieldError("start_date", "start_date is a W3C datetime, e.g. 2026-12-01T00:00:00+08:00")
		}
	}
	if s := v.Get("end_date"); s != "" {
		if q.End, err = zhudun.ParseW3CTime(s); err != nil {
			return q, zhudun.FieldError("end_date", "end_date is a W3C datetime, e.g. 2026-12-03T23:59:59+08:00")
		}
	}
	switch {
	case q.Start.IsZero() && q.End.IsZero():
		q.End, q.Start = now, now.Add(-MaxSpan)
	case q.Start.IsZero():
		q.Start = q.End.Add(-MaxSpan)
	case q.End.IsZero():
		q.End = q.Start.Add(MaxSpan)
	}
	if q.End.Before(q.Start) {
		return q, zhudun.FieldError("end_date", "end_date is before start_date")
	}
	if q.End.Sub(q.Start) > MaxSpan {
		return q, zhudun.FieldError("end_date", "start_date and end_date may not span more than 90 days")
	}
	return q, nil
}

// ParseID reads a service_request_id: a positive decimal of at most 18
// digits.
func ParseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n > 0
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
