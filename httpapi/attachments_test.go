package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// pngFile is a hand-made 1×1 PNG with a marker after IEND.
var pngFile = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82" +
	"PLAINTEXT-MARKER")

// upload posts one file as multipart/form-data, field file, as user.
func (h *harness) uploadFile(user, path, name, contentType string, data []byte) response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	hdr := make(map[string][]string)
	hdr["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, name)}
	hdr["Content-Type"] = []string{contentType}
	pw, _ := mw.CreatePart(hdr)
	pw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.send(user, req)
}

func (h *harness) blobFiles() []string {
	h.t.Helper()
	var out []string
	filepath.WalkDir(h.blobs, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func field(r response) string {
	var b struct{ Error struct{ Field string } }
	json.Unmarshal(r.body, &b)
	return b.Error.Field
}

// TestCaseAttachmentsAPI: WAZD's analyst uploads a PNG to its case, lists
// and downloads it as an attachment; an HTML file named .pdf and sent as
// application/pdf is refused, an oversize one is 413 with nothing stored;
// ZAZD's analyst gets 404 and an officer 403; the blob on disk is not the
// plaintext, and a tampered one is refused; a deletion needs a reason.
func TestCaseAttachmentsAPI(t *testing.T) {
	h := caseWorld(t)
	res := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "猫池窝点案", "type": "helping_crime"})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var c struct{ ID int64 }
	json.Unmarshal(res.body, &c)
	base := fmt.Sprintf("/api/v1/cases/%d/attachments", c.ID)

	res = h.uploadFile("wa1", base, "现场照片.png", "application/octet-stream", pngFile)
	if res.status != 201 {
		t.Fatalf("upload png: %d %s", res.status, res.body)
	}
	var a zhudun.Attachment
	json.Unmarshal(res.body, &a)
	if a.Type != "png" || a.Name != "现场照片.png" || a.Size != int64(len(pngFile)) {
		t.Fatalf("uploaded %+v", a)
	}
	files := h.blobFiles()
	if len(files) != 1 {
		t.Fatalf("blob files %v", files)
	}
	if raw, _ := os.ReadFile(files[0]); bytes.Contains(raw, []byte("PLAINTEXT-MARKER")) || bytes.Contains(raw, []byte("IHDR")) {
		t.Fatal("the blob on disk is the plaintext")
	}

	// refused: markup behind a .pdf name and type, an executable, oversize
	html := []byte("<!DOCTYPE html><html><body><script>fetch('/api/v1/me')</script></body></html>")
	if res := h.uploadFile("wa1", base, "回执.pdf", "application/pdf", html); res.status != 400 || res.code() != zhudun.EINVALID || field(res) != "file" {
		t.Fatalf("html as pdf: %d %s", res.status, res.body)
	}
	if res := h.uploadFile("wa1", base, "笔录.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("MZ\x90\x00\x03")); res.status != 400 {
		t.Fatalf("exe as docx: %d %s", res.status, res.body)
	}
	big := bytes.Repeat([]byte("a"), zhudun.MaxAttachmentSize+1)
	if res := h.uploadFile("wa1", base, "大文件.txt", "text/plain", big); res.status != 413 || res.code() != zhudun.ETOOLARGE {
		t.Fatalf("oversize: %d %s", res.status, res.body)
	}
	if n := len(h.blobFiles()); n != 1 {
		t.Fatalf("%d blobs after refused uploads; want 1", n)
	}

	// scope
	path := fmt.Sprintf("%s/%d", base, a.ID)
	for _, x := range []struct {
		user, method, path string
		want               int
	}{
		{"za1", "GET", base, 404}, {"za1", "GET", path, 404}, {"za1", "POST", path + "/delete", 404},
		{"off1", "GET", base, 403}, {"off1", "GET", path, 403},
	} {
		var body any
		if x.method == "POST" {
			body = map[string]string{"reason": "越权删除"}
		}
		if res := h.do(x.user, x.method, x.path, body); res.status != x.want {
			t.Errorf("%s %s %s: %d; want %d", x.user, x.method, x.path, res.status, x.want)
		}
	}
	if res := h.uploadFile("za1", base, "x.png", "image/png", pngFile); res.status != 404 {
		t.Errorf("za1 uploads to WAZD's case: %d", res.status)
	}

	// list and download
	if res := h.do("wa1", "GET", base, nil); res.status != 200 || res.total() != 1 {
		t.Fatalf("list: %d %s", res.status, res.body)
	}
	res = h.do("wa1", "GET", path, nil)
	if res.status != 200 || !bytes.Equal(res.body, pngFile) {
		t.Fatalf("download: %d", res.status)
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"X-Content-Type-Options": "nosniff",
		"Content-Disposition":    "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png",
		"X-Content-Sm3":          a.SM3,
	} {
		if got := res.header.Get(k); got != want {
			t.Errorf("%s: %q; want %q", k, got, want)
		}
	}
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	if _, n, err := h.store.FindAudit(sys, zhudun.AuditFilter{Action: "case.attachment.download", Username: "wa1", Limit: 1}); err != nil || n != 1 {
		t.Fatalf("download audited %d times (%v); want 1", n, err)
	}

	// tampering with the stored blob is detected, nothing served
	orig, _ := os.ReadFile(files[0])
	bad := bytes.Clone(orig)
	bad[len(bad)/2] ^= 0x40
	os.WriteFile(files[0], bad, 0o600)
	if res := h.do("wa1", "GET", path, nil); res.status != 500 || bytes.Contains(res.body, []byte("PNG")) {
		t.Fatalf("tampered blob: %d %s", res.status, res.body)
	}
	os.WriteFile(files[0], orig, 0o600)
	if res := h.do("wa1", "GET", path, nil); res.status != 200 {
		t.Fatalf("restored blob: %d", res.status)
	}

	// deletion
	if res := h.do("wa1", "POST", path+"/delete", map[string]string{"reason": "错"}); res.status != 400 {
		t.Fatalf("short reason: %d", res.status)
	}
	if res := h.do("wa1", "POST", path+"/delete", map[string]string{"reason": "上传错了案件"}); res.status != 200 || !strings.Contains(string(res.body), `"deleted_by":"wa1"`) {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if res := h.do("wa1", "GET", path, nil); res.status != 404 {
		t.Fatalf("download a deleted one: %d", res.status)
	}
	if n := len(h.blobFiles()); n != 0 {
		t.Fatalf("%d blobs after the deletion; want 0", n)
	}
}

// TestCaseEditAPI: the analyst renames the case and names a lead; the
// other division's analyst gets 404, an officer 403; the change is on the
// timeline with before and after.
func TestCaseEditAPI(t *testing.T) {
	h := caseWorld(t)
	res := h.do("wa1", "POST", "/api/v1/cases", map[string]any{"title": "猫池窝点案", "type": "helping_crime"})
	var c struct{ ID int64 }
	json.Unmarshal(res.body, &c)
	path := fmt.Sprintf("/api/v1/cases/%d", c.ID)
	for _, x := range []struct {
		user string
		body any
		want int
	}{
		{"za1", map[string]any{"title": "越权改名"}, 404},
		{"off1", map[string]any{"title": "越权改名"}, 403},
		{"wa1", map[string]any{"title": "x"}, 400},
		{"wa1", map[string]any{"number": "济公网立〔2026〕0001号"}, 400},
		{"wa1", map[string]any{"lead": h.users["za1"].ID}, 400},
		{"wa1", map[string]any{"dept": "ZAZD"}, 400},
	} {
		if res := h.do(x.user, "PATCH", path, x.body); res.status != x.want {
			t.Errorf("%s PATCH %v: %d %s; want %d", x.user, x.body, res.status, res.body, x.want)
		}
	}
	res = h.do("wa1", "PATCH", path, map[string]any{"title": "G-000001 猫池窝点案", "type": "telecom_fraud", "lead": h.users["wa1"].ID})
	if res.status != 200 {
		t.Fatalf("edit: %d %s", res.status, res.body)
	}
	var got zhudun.CaseDetail
	json.Unmarshal(res.body, &got)
	ev := got.Events[len(got.Events)-1]
	if got.Title != "G-000001 猫池窝点案" || got.Type != "telecom_fraud" || got.Lead != "wa1" || ev.Kind != "edit" || len(ev.Changes) != 3 ||
		ev.Changes[0] != (zhudun.CaseChange{Field: "title", Before: "猫池窝点案", After: "G-000001 猫池窝点案"}) {
		t.Fatalf("edited %+v, event %+v", got.Case, ev)
	}
}
