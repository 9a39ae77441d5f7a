package zhudun

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/xml"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Case attachments (附件, issue 12 item 7; docs/cases.md): 笔录, 调证回执,
// screenshots and documents. The type is decided by the content, never by
// the client's Content-Type or the file's extension; the name is kept for
// display only.

// Attachment limits: one file, and the live (not deleted) files of one case.
const (
	MaxAttachmentSize  = 20 << 20 // 20 MiB a file
	MaxCaseAttachments = 200      // files a case holds
	MaxCaseAttachBytes = 1 << 30  // 1 GiB a case holds
)

// AttachmentType is a kind of file a case may hold.
type AttachmentType struct {
	ID   string // pdf, jpeg, png, docx, xlsx, ofd, text
	MIME string
	Ext  string // the extension a download is given when the name lacks it
}

// attachmentTypes are the types accepted, by id.
var attachmentTypes = map[string]AttachmentType{
	"pdf":  {"pdf", "application/pdf", ".pdf"},
	"jpeg": {"jpeg", "image/jpeg", ".jpg"},
	"png":  {"png", "image/png", ".png"},
	"docx": {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
	"xlsx": {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
	"ofd":  {"ofd", "application/ofd", ".ofd"},
	"text": {"text", "text/plain; charset=utf-8", ".txt"},
}

// AttachmentTypeByID returns an accepted type by its id.
func AttachmentTypeByID(id string) (AttachmentType, bool) {
	t, ok := attachmentTypes[id]
	return t, ok
}

// refused says why a file is not taken; the message names the kind found,
// so that the user knows it was read, not guessed from the name.
func refused(kind string) error {
	return FieldError("file", "%s files are not accepted: PDF, JPEG, PNG, DOCX, XLSX, OFD or UTF-8 text only", kind)
}

// SniffAttachment decides a file's type from its content. It refuses
// executables, scripts, markup a browser would run (HTML, SVG, XML),
// archives, Office files with macros, PDFs that carry JavaScript or launch
// actions, and everything it does not know. Errors: EINVALID on field
// "file".
func SniffAttachment(data []byte) (AttachmentType, error) {
	if len(data) == 0 {
		return AttachmentType{}, FieldError("file", "the file is empty")
	}
	has := func(p string) bool { return bytes.HasPrefix(data, []byte(p)) }
	switch {
	case has("%PDF-"):
		// A PDF's scripts run in some readers; the case file needs none.
		// Names are looked for in clear (with #xx escapes decoded) and in
		// the compressed object streams (attachpdf.go).
		if bad := pdfRefusal(data); bad != "" {
			return AttachmentType{}, FieldError("file", "a PDF with scripts, launch actions or embedded files (%s) is not accepted", bad)
		}
		return attachmentTypes["pdf"], nil
	case has("\xFF\xD8\xFF"):
		return attachmentTypes["jpeg"], nil
	case has("\x89PNG\r\n\x1a\n"):
		return attachmentTypes["png"], nil
	case has("PK\x03\x04"):
		return sniffZip(data)
	case has("MZ"), has("\x7fELF"), has("\xFE\xED\xFA\xCE"), has("\xFE\xED\xFA\xCF"), has("\xCE\xFA\xED\xFE"),
		has("\xCF\xFA\xED\xFE"), has("\xCA\xFE\xBA\xBE"), has("\x00asm"), has("dex\n"):
		return AttachmentType{}, refused("executable")
	case has("#!"):
		return AttachmentType{}, refused("script")
	case has("Rar!"), has("7z\xBC\xAF\x27\x1C"), has("\x1F\x8B"), has("BZh"), has("\xFD7zXZ\x00"), has("PK\x05\x06"),
		has("\x28\xB5\x2F\xFD"), len(data) > 262 && bytes.Equal(data[257:262], []byte("ustar")):
		return AttachmentType{}, refused("archive")
	case has("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"):
		return AttachmentType{}, refused("old Office (OLE, may carry macros)")
	}
	return sniffText(data)
}

// pdfNames is data with every #xx escape decoded, as a reader decodes a
// name's ("/J#61vaScript" is /JavaScript); data itself when it has none.
func pdfNames(data []byte) []byte {
	if bytes.IndexByte(data, '#') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		if data[i] == '#' && i+2 < len(data) {
			if v, err := hex.DecodeString(string(data[i+1 : i+3])); err == nil {
				out = append(out, v[0])
				i += 2
				continue
			}
		}
		out = append(out, data[i])
	}
	return out
}

// maxRelsBytes bounds what sniffZip unpacks of a document's relationship
// parts, all together.
const maxRelsBytes = 4 << 20

// externalRels tells whether a relationship part makes the document fetch
// something from outside other than a hyperlink the reader clicks: a
// remote template or OLE object runs code without macros (CVE-2017-0199,
// CVE-2022-30190), an external link pulls data. A part it cannot read
// counts as one.
func externalRels(f *zip.File, budget *int64) bool {
	if int64(f.UncompressedSize64) > *budget {
		return true
	}
	rc, err := f.Open()
	if err != nil {
		return true
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: *budget}
	d := xml.NewDecoder(lr)
	defer func() { *budget = lr.N }()
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return lr.N <= 0
		}
		if err != nil {
			return true
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "Relationship" {
			continue
		}
		var typ, mode string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "Type":
				typ = a.Value
			case "TargetMode":
				mode = a.Value
			}
		}
		if strings.EqualFold(mode, "External") && !strings.HasSuffix(typ, "/hyperlink") {
			return true
		}
	}
}

// sniffZip accepts the zip-based documents: DOCX, XLSX (Office Open XML
// with their main part, no macros) and OFD (GB/T 33190, OFD.xml at the
// root). Any other zip is an archive. The central directory is read, and
// the relationship parts (*.rels, at most maxRelsBytes in all) unpacked.
func sniffZip(data []byte) (AttachmentType, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return AttachmentType{}, FieldError("file", "a damaged zip-based file")
	}
	if len(zr.File) > 10000 {
		return AttachmentType{}, refused("archive")
	}
	names := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		n := strings.ToLower(f.Name)
		if strings.HasSuffix(n, "vbaproject.bin") || strings.HasSuffix(n, ".bin") && strings.Contains(n, "activex") {
			return AttachmentType{}, refused("Office with macros")
		}
		if strings.Contains(n, "embeddings/") && strings.HasSuffix(n, ".bin") {
			return AttachmentType{}, refused("Office with embedded OLE objects")
		}
		names[n] = true
	}
	budget := int64(maxRelsBytes)
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".rels") && externalRels(f, &budget) {
			return AttachmentType{}, refused("Office fetching external content (remote template, OLE object or link)")
		}
	}
	switch {
	case names["[content_types].xml"] && names["word/document.xml"]:
		return attachmentTypes["docx"], nil
	case names["[content_types].xml"] && names["xl/workbook.xml"]:
		return attachmentTypes["xlsx"], nil
	case names["ofd.xml"]:
		return attachmentTypes["ofd"], nil
	}
	return AttachmentType{}, refused("archive")
}

// sniffText accepts UTF-8 text without NULs or control characters other
// than tab, newline, carriage return and form feed; text that opens as
// markup (<html, <svg, <?xml …) or holds a <script is refused, since a
// browser told otherwise would run it.
func sniffText(data []byte) (AttachmentType, error) {
	if !utf8.Valid(data) {
		return AttachmentType{}, refused("binary (unknown)")
	}
	for _, r := range string(data) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return AttachmentType{}, refused("binary (unknown)")
		}
	}
	t := bytes.TrimLeftFunc(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), unicode.IsSpace)
	low := bytes.ToLower(data)
	if bytes.HasPrefix(t, []byte("<")) || bytes.Contains(low, []byte("<script")) || bytes.Contains(low, []byte("<svg")) ||
		bytes.Contains(low, []byte("<html")) || bytes.Contains(low, []byte("<iframe")) {
		return AttachmentType{}, refused("HTML, SVG or XML")
	}
	return attachmentTypes["text"], nil
}

// CleanAttachmentName makes a client's file name fit for display and a
// download's Content-Disposition: the last path element only, without
// control or bidirectional-override characters, trimmed of spaces and
// dots, at most 120 characters; "附件" when nothing is left. It is never
// used as a path.
func CleanAttachmentName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(name, "") {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == 0xFEFF || r == '"' {
			continue
		}
		if n == 120 {
			break
		}
		b.WriteRune(r)
		n++
	}
	out := strings.Trim(b.String(), " .")
	if out == "" {
		return "附件"
	}
	return out
}

// DownloadName is the name a download is given: the display name, with the
// detected type's extension appended when its own does not match (a PDF
// sent as "x.exe" is saved as "x.exe.pdf").
func DownloadName(name string, t AttachmentType) string {
	ext := strings.ToLower(path.Ext(name))
	ok := ext == t.Ext || t.ID == "jpeg" && ext == ".jpeg" || t.ID == "text" && (ext == ".txt" || ext == ".csv" || ext == ".log")
	if ok {
		return name
	}
	return name + t.Ext
}

// Attachment is a file of a case, as lists show it. Deleted ones stay
// listed with who deleted them, when and why; their content is gone.
type Attachment struct {
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	Name       string     `json:"name"`
	Type       string     `json:"type"` // an AttachmentType id
	MIME       string     `json:"mime"`
	Size       int64      `json:"size"`
	SM3        string     `json:"sm3"` // hex digest of the content
	UploadedBy string     `json:"uploaded_by"`
	UploadedAt time.Time  `json:"uploaded_at"`
	DeletedBy  string     `json:"deleted_by,omitempty"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"`
	DeleteWhy  string     `json:"delete_reason,omitempty"`
}

// AttachmentService keeps cases' files: case:write over the case to upload
// and delete, case:read to list and download, in the caller's scope (a case
// outside it is ENOTFOUND). Uploads, downloads and deletions are audited.
// Errors: EINVALID (type, name, reason), ETOOLARGE (a file over
// MaxAttachmentSize, a case over its count or bytes), ENOTFOUND, ECONFLICT
// (a merged case), EINTERNAL (a stored file failing its integrity check),
// EUNAVAILABLE (no blob store configured).
type AttachmentService interface {
	AddAttachment(ctx context.Context, caseID int64, name string, data []byte) (*Attachment, error)
	CaseAttachments(ctx context.Context, caseID int64) ([]*Attachment, error)
	// ReadAttachment returns a live attachment and its content, checked
	// against its SM3 digest.
	ReadAttachment(ctx context.Context, caseID, id int64) (*Attachment, []byte, error)
	// DeleteAttachment deletes an attachment with a reason: its record
	// stays, its content is destroyed.
	DeleteAttachment(ctx context.Context, caseID, id int64, reason string) (*Attachment, error)
}

// BlobStore keeps opaque blobs (attachments, already encrypted) by a name
// the store chose: [0-9a-f]{32}. The data directory implements it
// (blobfs) and an S3-compatible bucket (blobs3); both keep the contract
// of internal/blobtest.
// Errors: ENOTFOUND (Open of a missing blob), EINVALID (a bad name),
// EINTERNAL.
type BlobStore interface {
	// Put stores a new blob; a name taken is an error.
	Put(ctx context.Context, name string, r io.Reader) error
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Delete removes a blob; a missing one is not an error.
	Delete(ctx context.Context, name string) error
}
