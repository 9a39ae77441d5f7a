package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// The spec's documents, each with its XML element names and JSON keys.

// Service is one entry of GET services.
type Service struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	ServiceCode string   `xml:"service_code" json:"service_code"`
	ServiceName string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

type services struct {
	XMLName  xml.Name  `xml:"services"`
	Services []Service `xml:"service"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

type values struct {
	Values []Value `xml:"value"`
}

// Attribute is one attribute of a service definition.
type Attribute struct {
	Variable            bool    `xml:"variable" json:"variable"`
	Code                string  `xml:"code" json:"code"`
	Datatype            string  `xml:"datatype" json:"datatype"`
	Required            bool    `xml:"required" json:"required"`
	DatatypeDescription string  `xml:"datatype_description" json:"datatype_description"`
	Order               int     `xml:"order" json:"order"`
	Description         string  `xml:"description" json:"description"`
	Values              []Value `xml:"-" json:"values"`
	XMLValues           *values `xml:"values,omitempty" json:"-"`
}

type attributes struct {
	Attributes []Attribute `xml:"attribute"`
}

// Definition is GET services/{code}.
type Definition struct {
	XMLName     xml.Name    `xml:"service_definition" json:"-"`
	ServiceCode string      `xml:"service_code" json:"service_code"`
	Attributes  []Attribute `xml:"-" json:"attributes"`
	XMLAttrs    attributes  `xml:"attributes" json:"-"`
}

// Services is GET services: every fire service, realtime, with metadata.
func Services() []Service {
	out := make([]Service, 0, len(zhudun.FireServices))
	for _, s := range zhudun.FireServices {
		out = append(out, Service{ServiceCode: s.Code, ServiceName: s.Name, Description: s.Description, Metadata: len(s.Attributes) > 0,
			Type: "realtime", Keywords: s.Keywords, Group: s.Group})
	}
	return out
}

// DefinitionOf is the definition of a service.
func DefinitionOf(s *zhudun.FireService) Definition {
	d := Definition{ServiceCode: s.Code, Attributes: []Attribute{}}
	for _, a := range s.Attributes {
		x := Attribute{Variable: a.Variable, Code: a.Code, Datatype: a.Datatype, Required: a.Required, DatatypeDescription: a.DatatypeDesc,
			Order: a.Order, Description: a.Description, Values: []Value{}}
		for _, v := range a.Values {
			x.Values = append(x.Values, Value{Key: v.Key, Name: v.Name})
		}
		if len(x.Values) > 0 {
			x.XMLValues = &values{Values: x.Values}
		}
		d.Attributes = append(d.Attributes, x)
	}
	d.XMLAttrs.Attributes = d.Attributes
	return d
}

// Created is one entry of the answer to POST requests. The report is
// created at once, so it has its id; the token is given too, for clients
// that track by token.
type Created struct {
	XMLName          xml.Name `xml:"request" json:"-"`
	ServiceRequestID string   `xml:"service_request_id" json:"service_request_id"`
	Token            string   `xml:"token" json:"token"`
	ServiceNotice    string   `xml:"service_notice" json:"service_notice"`
	AccountID        *string  `xml:"-" json:"account_id"`
	// XMLAccountID is AccountID in XML, where a nil pointer would drop
	// the element: the spec's answer always has it, empty when unknown.
	XMLAccountID string `xml:"account_id" json:"-"`
}

// ServiceNotice is what every new report is told.
const ServiceNotice = "已受理，辖区派出所将核查处理。Received: the local police station will check and deal with it."

// Request is one entry of GET requests: the public fields only.
type Request struct {
	XMLName           xml.Name    `xml:"request" json:"-"`
	ServiceRequestID  string      `xml:"service_request_id" json:"service_request_id"`
	Status            string      `xml:"status" json:"status"`
	StatusNotes       string      `xml:"status_notes" json:"status_notes"`
	ServiceName       string      `xml:"service_name" json:"service_name"`
	ServiceCode       string      `xml:"service_code" json:"service_code"`
	Description       string      `xml:"description" json:"description"`
	AgencyResponsible string      `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string      `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string      `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string      `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  *string     `xml:"-" json:"expected_datetime"`
	XMLExpected       string      `xml:"expected_datetime" json:"-"`
	Address           string      `xml:"address" json:"address"`
	AddressID         string      `xml:"address_id" json:"address_id"`
	Zipcode           string      `xml:"zipcode" json:"zipcode"`
	Lat               json.Number `xml:"lat" json:"lat"`
	Long              json.Number `xml:"long" json:"long"`
	MediaURL          string      `xml:"media_url" json:"media_url"`
}

// Token is one entry of GET tokens/{token}.
type Token struct {
	XMLName          xml.Name `xml:"request" json:"-"`
	ServiceRequestID string   `xml:"service_request_id" json:"service_request_id"`
	Token            string   `xml:"token" json:"token"`
}

type serviceRequests[T any] struct {
	XMLName xml.Name `xml:"service_requests"`
	Items   []T
}

// PublicRequest is a report as anyone may read it: no reporter, no
// internal step; the description and the address with phone and ID
// numbers masked;
// mediaBase prefixes an uploaded photo's name.
func PublicRequest(x *zhudun.FireReport, mediaBase string) Request {
	name := x.ServiceCode
	if s, ok := zhudun.FireServiceByCode(x.ServiceCode); ok {
		name = s.Name
	}
	agency := x.StationName
	if x.ReferredTo == zhudun.ReferFireRescue {
		agency = "消防救援机构 Fire and rescue"
	}
	r := Request{ServiceRequestID: strconv.FormatInt(x.ID, 10), Status: x.Open311Status(), StatusNotes: zhudun.FireStatusNote(x.Status),
		ServiceName: name, ServiceCode: x.ServiceCode, Description: pii.MaskText(x.Description), AgencyResponsible: agency,
		ServiceNotice: ServiceNotice, RequestedDatetime: zhudun.FormatW3CTime(x.RequestedAt), UpdatedDatetime: zhudun.FormatW3CTime(x.UpdatedAt),
		Address: pii.MaskText(x.Address), AddressID: x.AddressID, Zipcode: x.Zipcode, Lat: json.Number(x.Lat), Long: json.Number(x.Long), MediaURL: x.MediaURL}
	if x.MediaID != "" && x.MediaURL == "" {
		r.MediaURL = mediaBase + x.MediaID
	}
	if x.Status == zhudun.FireOrdered && x.Deadline != "" {
		if d, err := zhudun.ParseW3CTime(x.Deadline); err == nil {
			s := zhudun.FormatW3CTime(d.AddDate(0, 0, 1).Add(-1e9))
			r.ExpectedDatetime, r.XMLExpected = &s, s
		}
	}
	return r
}

// Format is json or xml.
type Format string

// Formats.
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// Write writes v in format f: a list's items under service_requests
// (XML) or as an array (JSON).
func Write(w http.ResponseWriter, status int, f Format, v any) {
	w.Header().Set("Cache-Control", "no-store")
	if f == XML {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		enc.Indent("", " ")
		_ = enc.Encode(xmlDoc(v))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// xmlDoc wraps lists in their root element.
func xmlDoc(v any) any {
	switch x := v.(type) {
	case []Service:
		return services{Services: x}
	case []Created:
		return serviceRequests[Created]{Items: x}
	case []Request:
		return serviceRequests[Request]{Items: x}
	case []Token:
		return serviceRequests[Token]{Items: x}
	case []Error:
		return errorsDoc{Errors: x}
	}
	return v
}

// Error is one entry of the spec's error list.
type Error struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

type errorsDoc struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error  `xml:"error"`
}

// WriteError writes err as the spec's error list with its HTTP status as
// the code: 400 bad input, 403 a missing or wrong api_key, 404 unknown.
func WriteError(w http.ResponseWriter, f Format, status int, description string) {
	Write(w, status, f, []Error{{Code: status, Description: description}})
}
