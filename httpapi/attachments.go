package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/zhudun/zhudun"
)

// Case attachments: multipart upload of one file (field "file"), list,
// download, delete with a reason. The type, limits and scope are the
// store's; the handlers read the body without writing it to disk (no
// ParseMultipartForm: its temporary files would hold the plaintext).

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	xs, err := s.store.CaseAttachments(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(xs, len(xs)))
	return nil
}

// tooLarge is the answer to a file over zhudun.MaxAttachmentSize.
func tooLarge() error {
	return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: fmt.Sprintf("a file is at most %d MiB", zhudun.MaxAttachmentSize>>20)}
}

func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return zhudun.FieldError("file", "send the file as multipart/form-data, field file")
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge()
			}
			return zhudun.FieldError("file", "no file in the form (field file)")
		}
		if p.FormName() != "file" {
			p.Close()
			continue
		}
		data, err := readPart(p)
		if err != nil {
			return err
		}
		a, err := s.store.AddAttachment(r.Context(), id, p.FileName(), data)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, a)
		return nil
	}
}

// readPart reads a file part up to the limit; one byte more is ETOOLARGE.
func readPart(p *multipart.Part) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(p, zhudun.MaxAttachmentSize+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, zhudun.FieldError("file", "the upload was cut short")
	}
	if n > zhudun.MaxAttachmentSize {
		return nil, tooLarge()
	}
	return buf.Bytes(), nil
}

// downloadAttachment serves a file as an attachment (never inline), with
// the type detected at upload and nosniff, so that no browser renders or
// runs it in the application's origin.
func (s *Server) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	att, err := pathInt(r, "att")
	if err != nil {
		return err
	}
	a, data, err := s.store.ReadAttachment(r.Context(), id, att)
	if err != nil {
		return err
	}
	t, _ := zhudun.AttachmentTypeByID(a.Type)
	h := w.Header()
	h.Set("Content-Type", t.MIME)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": zhudun.DownloadName(a.Name, t)})
	if cd == "" {
		cd = "attachment" // a name it cannot encode: still never inline
	}
	h.Set("Content-Disposition", cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-SM3", a.SM3)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}

func (s *Server) deleteAttachment(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	att, err := pathInt(r, "att")
	if err != nil {
		return err
	}
	a, err := s.store.DeleteAttachment(r.Context(), id, att, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
