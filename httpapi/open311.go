package httpapi

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/open311"
)

// Open311 GeoReport v2 under /open311/v2 (issue 15, docs/fire.md). The
// spec names resources with a format suffix (services.json, requests.xml),
// which a ServeMux wildcard cannot split, so each route takes the last
// segment whole and splits it here. Errors are the spec's error list in
// the asked format. Reads are public (the anonymous throttle applies);
// posting needs the API key of an enabled open311 source.

// maxOpen311Body is the POST route's own limit: a 10 MiB photo and the
// form around it.
const maxOpen311Body = 10<<20 + 256<<10

func (s *Server) registerOpen311() {
	s.open311Route("GET", "/open311/v2/{file}", s.open311List)
	s.open311Route("POST", "/open311/v2/{file}", s.open311Post)
	s.open311Route("GET", "/open311/v2/services/{file}", s.open311Definition)
	s.open311Route("GET", "/open311/v2/requests/{file}", s.open311Request)
	s.open311Route("GET", "/open311/v2/tokens/{file}", s.open311Token)
	s.open311Route("GET", "/open311/v2/media/{file}", s.open311Media)
}

type open311Handler func(w http.ResponseWriter, r *http.Request, name string, f open311.Format) error

// splitFormat splits "requests.json" into its name and format; another
// suffix is not found.
func splitFormat(file string) (string, open311.Format, bool) {
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return file, open311.XML, false
	}
	switch f := open311.Format(file[i+1:]); f {
	case open311.JSON, open311.XML:
		return file[:i], f, true
	}
	return file[:i], open311.XML, false
}

func (s *Server) open311Route(method, path string, h open311Handler) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Public: true})
	route := method + " " + path
	limit := s.maxBody
	if method == "POST" {
		limit = max(s.maxBody, maxOpen311Body)
	}
	var h2 http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Public, cookie-less resources: any web client may read them.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		name, f, ok := splitFormat(r.PathValue("file"))
		if method == "GET" || !ok {
			// Reads and bad paths are anonymous traffic; a post's key is
			// checked in its handler, and a wrong one counts there.
			if ok, wait := s.anon.Allow(clientAddr(r)); !ok {
				s.denyAnonymous(r, "too many requests without a session from your address")
				w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
				open311.WriteError(w, f, http.StatusTooManyRequests, "too many requests from your address; slow down")
				return
			}
		}
		if !ok && !strings.HasPrefix(path, "/open311/v2/media/") {
			open311.WriteError(w, f, http.StatusNotFound, "not found: resources end in .json or .xml")
			return
		}
		if err := h(w, r, name, f); err != nil {
			s.open311Error(w, r, f, err)
		}
	})
	h2 = s.admit(route, h2)
	if method == "POST" {
		h2 = s.readBody(s.intake, 0, true, h2, func(w http.ResponseWriter, r *http.Request, err error) {
			_, f, _ := splitFormat(r.PathValue("file"))
			s.open311Error(w, r, f, err)
		})
	}
	s.mux.Handle(route, s.limitBody(limit, h2))
}

// open311Error renders err as the spec's error list: EINVALID 400, a
// missing or wrong key 403, not found 404; the rest by the one table.
func (s *Server) open311Error(w http.ResponseWriter, r *http.Request, f open311.Format, err error) {
	code := zhudun.ErrorCode(err)
	status := StatusOf(code)
	if code == zhudun.EUNAUTHORIZED {
		status = http.StatusForbidden
	}
	msg := zhudun.ErrorMessage(err)
	var ze *zhudun.Error
	if errors.As(err, &ze) && ze.Field != "" {
		msg = ze.Field + ": " + msg
		if ze.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ze.RetryAfter))
		}
	}
	if status >= 500 {
		s.log.Error("open311 request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	open311.WriteError(w, f, status, msg)
}

// open311List is GET services.{fmt} and GET requests.{fmt}.
func (s *Server) open311List(w http.ResponseWriter, r *http.Request, name string, f open311.Format) error {
	switch name {
	case "services":
		open311.Write(w, http.StatusOK, f, open311.Services())
		return nil
	case "requests":
		q, err := open311.ParseRequestQuery(r.URL.Query(), timeNow())
		if err != nil {
			return err
		}
		ff := zhudun.FireFilter{IDs: q.IDs, From: q.Start, To: q.End, Limit: 1000}
		if len(q.IDs) > 0 {
			ff.From, ff.To = zeroTime, zeroTime
		}
		// One code or one status filters in the store (the 1000 are of
		// them); lists of several are rare and filtered below.
		if len(q.ServiceCodes) == 1 {
			ff.ServiceCode = q.ServiceCodes[0]
		}
		if len(q.Statuses) == 1 {
			ff.Status = q.Statuses[0]
		}
		xs, err := s.store.PublicFireReports(r.Context(), ff)
		if err != nil {
			return err
		}
		out := []open311.Request{}
		for _, x := range xs {
			if len(q.ServiceCodes) > 0 && !contains(q.ServiceCodes, x.ServiceCode) ||
				len(q.Statuses) > 0 && !contains(q.Statuses, x.Open311Status()) {
				continue
			}
			out = append(out, open311.PublicRequest(x, mediaBase(r)))
		}
		open311.Write(w, http.StatusOK, f, out)
		return nil
	}
	return zhudun.Errorf(zhudun.ENOTFOUND, "no resource %s", name)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// mediaBase is the absolute prefix of uploaded photos' URLs.
func mediaBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/open311/v2/media/"
}

func (s *Server) open311Definition(w http.ResponseWriter, r *http.Request, code string, f open311.Format) error {
	svc, ok := zhudun.FireServiceByCode(code)
	if !ok {
		return zhudun.Errorf(zhudun.ENOTFOUND, "service_code %s not found", truncate(code, 40))
	}
	open311.Write(w, http.StatusOK, f, open311.DefinitionOf(svc))
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "?")
}

func (s *Server) open311Request(w http.ResponseWriter, r *http.Request, idText string, f open311.Format) error {
	id, ok := open311.ParseID(idText)
	if !ok {
		return zhudun.Errorf(zhudun.ENOTFOUND, "service_request_id not found")
	}
	xs, err := s.store.PublicFireReports(r.Context(), zhudun.FireFilter{IDs: []int64{id}, Limit: 1})
	if err != nil {
		return err
	}
	if len(xs) == 0 {
		return zhudun.Errorf(zhudun.ENOTFOUND, "service_request_id %d not found", id)
	}
	open311.Write(w, http.StatusOK, f, []open311.Request{open311.PublicRequest(xs[0], mediaBase(r))})
	return nil
}

func (s *Server) open311Token(w http.ResponseWriter, r *http.Request, token string, f open311.Format) error {
	x, err := s.store.FireReportByToken(r.Context(), token)
	if err != nil {
		return err
	}
	open311.Write(w, http.StatusOK, f, []open311.Token{{ServiceRequestID: strconv.FormatInt(x.ID, 10), Token: x.Token}})
	return nil
}

// open311Media serves an uploaded photo (its metadata stripped) under the
// unguessable name its media_url carries.
func (s *Server) open311Media(w http.ResponseWriter, r *http.Request, _ string, _ open311.Format) error {
	name := strings.TrimSuffix(strings.TrimSuffix(r.PathValue("file"), ".jpg"), ".png")
	data, typ, err := s.store.FireMedia(r.Context(), name)
	if err != nil {
		return err
	}
	if data == nil {
		return zhudun.Errorf(zhudun.ENOTFOUND, "media not found")
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
	return nil
}

// open311Post is POST requests.{fmt}: form-encoded or multipart (with
// media, a JPEG or PNG up to 10 MiB).
func (s *Server) open311Post(w http.ResponseWriter, r *http.Request, name string, f open311.Format) error {
	if name != "requests" {
		return zhudun.Errorf(zhudun.ENOTFOUND, "no resource %s", name)
	}
	var media []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var err error
		if media, err = readOpen311Multipart(r); err != nil {
			return err
		}
	} else if err := r.ParseForm(); err != nil {
		return open311BodyError(err)
	}
	src, err := s.store.SourceByKey(r.Context(), r.FormValue("api_key"))
	if err != nil {
		if zhudun.ErrorCode(err) == zhudun.EUNAUTHORIZED {
			if ok, wait := s.anon.Allow(clientAddr(r)); !ok {
				return &zhudun.Error{Code: zhudun.ETOOMANY, Message: "too many requests from your address; slow down", RetryAfter: retryAfterSeconds(wait)}
			}
			s.denyAnonymous(r, "open311: missing or wrong api_key")
			return zhudun.Errorf(zhudun.EUNAUTHORIZED, "invalid api_key received: can't proceed with create_request")
		}
		return err
	}
	if src.Kind != zhudun.SourceOpen311 {
		s.denyAnonymous(r, "open311: api_key of a "+src.Kind+" source")
		return zhudun.Errorf(zhudun.EUNAUTHORIZED, "invalid api_key received: not an Open311 client's key")
	}
	if ok, wait := s.sources.Allow(src.Name); !ok {
		return &zhudun.Error{Code: zhudun.ETOOMANY, Message: "too many requests from this source; slow down", RetryAfter: retryAfterSeconds(wait)}
	}
	n, err := open311.ParseRequestForm(r.Form)
	if err != nil {
		return err
	}
	n.Media = media
	if s.geocoder != zhudun.Geocoder(s.store) {
		// A configured standard-address service places address_string;
		// the local table is the store's own lookup.
		if err := n.Geocode(r.Context(), s.geocoder); err != nil {
			return err
		}
	}
	ctx := zhudun.WithCaller(r.Context(), &zhudun.Caller{ClientAddr: clientAddr(r), Perms: map[zhudun.Permission]zhudun.Scope{}})
	x, err := s.store.CreateFireReportFromSource(ctx, src, n)
	if err != nil {
		return err
	}
	c := open311.Created{ServiceRequestID: strconv.FormatInt(x.ID, 10), Token: x.Token, ServiceNotice: open311.ServiceNotice}
	if x.AccountID != "" {
		c.AccountID, c.XMLAccountID = &x.AccountID, x.AccountID
	}
	open311.Write(w, http.StatusOK, f, []open311.Created{c})
	return nil
}

// maxOpen311Fields bounds a multipart post's fields besides media: the
// form is a few dozen short values.
const (
	maxOpen311Fields     = 200
	maxOpen311FieldBytes = 256 << 10
)

// readOpen311Multipart reads a multipart post as a stream: its fields into
// r.Form (after the URL's query, as ParseMultipartForm would) and the one
// media part into memory, at most 10 MiB. Not ParseMultipartForm: it puts
// a part over 1 MiB in a temporary file, so a citizen's photo with its
// metadata (the phone's position, its serial number) would lie on the
// server's disk in clear, and stay there after a crash (review
// 2026-12-03b, finding 3). A second file, or a file under another name,
// is EINVALID.
func readOpen311Multipart(r *http.Request) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, open311BodyError(err)
	}
	form, post := r.URL.Query(), url.Values{}
	var media []byte
	fieldBytes, parts := 0, 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, open311BodyError(err)
		}
		if parts++; parts > maxOpen311Fields+1 {
			p.Close()
			return nil, zhudun.FieldError("body", "at most %d fields", maxOpen311Fields)
		}
		name := p.FormName()
		if p.FileName() != "" || name == "media" {
			if name != "media" || media != nil {
				p.Close()
				return nil, zhudun.FieldError("media", "one file, in the field media")
			}
			buf, err := io.ReadAll(io.LimitReader(p, 10<<20+1))
			p.Close()
			if err != nil {
				return nil, open311BodyError(err)
			}
			if len(buf) > 10<<20 {
				return nil, &zhudun.Error{Code: zhudun.ETOOLARGE, Field: "media", Message: "media is at most 10 MiB"}
			}
			media = buf
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, int64(maxOpen311FieldBytes-fieldBytes+1)))
		p.Close()
		if err != nil {
			return nil, open311BodyError(err)
		}
		if fieldBytes += len(v); fieldBytes > maxOpen311FieldBytes {
			return nil, &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "the form's fields are at most 256 KiB"}
		}
		form.Add(name, string(v))
		post.Add(name, string(v))
	}
	r.Form, r.PostForm = form, post
	return media, nil
}

func open311BodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: "request body too large (limit 10 MiB of media)"}
	}
	return zhudun.FieldError("body", "the form cannot be read: send application/x-www-form-urlencoded or multipart/form-data")
}
