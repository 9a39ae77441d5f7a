package storetest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/sqlstore"
)

// Case attachments and edits (docs/cases.md).

// pngFile is a hand-made 1×1 PNG: signature, IHDR, IDAT, IEND.
var pngFile = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82" +
	"PLAINTEXT-MARKER-张三笔录")

// attachEnv is a store with a blob directory.
func attachEnv(t *testing.T, b Backend) (*env, string) {
	e := newEnv(t, b)
	dir := filepath.Join(t.TempDir(), "attachments")
	blobs, err := blobfs.New(dir)
	e.must(err)
	e.s = b.Open(t, "attach", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Witness: e.witness, Blobs: blobs})
	e.fixture()
	return e, dir
}

// blobFiles lists the files under the blob directory.
func blobFiles(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testCaseAttachments: a file is stored encrypted with its digest, listed,
// read back and deleted by those who may; limits, scope, tampering, merge
// and key rotation.
func testCaseAttachments(t *testing.T, b Backend) {
	e, dir := attachEnv(t, b)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	c := e.newCase(sb1, "一分局案", "")
	a, err := e.s.AddAttachment(sb1, c.ID, "C:\\fakepath\\..\\张三\u202egpj.exe笔录.png", pngFile)
	e.must(err)
	if a.Type != "png" || a.MIME != "image/png" || a.Size != int64(len(pngFile)) || len(a.SM3) != 64 || a.UploadedBy != "ana1" || a.Name != "张三gpj.exe笔录.png" {
		t.Fatalf("added %+v", a)
	}
	files := blobFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("blob files %v", files)
	}
	raw, err := os.ReadFile(files[0])
	e.must(err)
	if bytes.Contains(raw, []byte("PLAINTEXT-MARKER")) || bytes.Contains(raw, []byte("IHDR")) {
		t.Fatal("the stored blob holds the plaintext")
	}
	// scope: SB2 neither sees nor writes SB1's case; the commander reads
	for name, err := range map[string]error{
		"sb2 add":  func() error { _, err := e.s.AddAttachment(sb2, c.ID, "x.png", pngFile); return err }(),
		"sb2 list": func() error { _, err := e.s.CaseAttachments(sb2, c.ID); return err }(),
		"sb2 read": func() error { _, _, err := e.s.ReadAttachment(sb2, c.ID, a.ID); return err }(),
		"sb2 del":  func() error { _, err := e.s.DeleteAttachment(sb2, c.ID, a.ID, "不需要了"); return err }(),
		"wrong case": func() error {
			other := e.newCase(sb1, "另一案", "")
			_, _, err := e.s.ReadAttachment(sb1, other.ID, a.ID)
			return err
		}(),
	} {
		if code(err) != zhudun.ENOTFOUND {
			t.Errorf("%s: %v; want ENOTFOUND", name, err)
		}
	}
	if _, err := e.s.AddAttachment(cmd, c.ID, "x.png", pngFile); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander uploads: %v; want EFORBIDDEN", err)
	}
	if len(blobFiles(t, dir)) != 1 {
		t.Fatal("a refused upload left a blob")
	}
	got, data, err := e.s.ReadAttachment(cmd, c.ID, a.ID)
	e.must(err)
	if !bytes.Equal(data, pngFile) || got.SM3 != a.SM3 {
		t.Fatal("read back differs")
	}
	if n := e.auditCount("case.attachment.download"); n != 1 {
		t.Errorf("%d download audit rows; want 1", n)
	}
	if n := e.auditCount("case.attachment.add"); n != 1 {
		t.Errorf("%d upload audit rows; want 1", n)
	}
	// refused types store nothing
	for name, body := range map[string]string{
		"html as pdf": "<!DOCTYPE html><html><script>alert(1)</script></html>",
		"svg":         `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`,
		"exe":         "MZ\x90\x00\x03\x00\x00\x00",
		"gzip":        "\x1f\x8b\x08\x00\x00\x00\x00\x00",
		"empty":       "",
	} {
		if _, err := e.s.AddAttachment(sb1, c.ID, name+".pdf", []byte(body)); code(err) != zhudun.EINVALID || field(err) != "file" {
			t.Errorf("%s: %v; want EINVALID on file", name, err)
		}
	}
	if _, err := e.s.AddAttachment(sb1, c.ID, "big.txt", bytes.Repeat([]byte("a"), zhudun.MaxAttachmentSize+1)); code(err) != zhudun.ETOOLARGE {
		t.Errorf("oversize: %v", err)
	}
	// the case's limits, by its counters: the last file that fits, then none
	db := e.s.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(e.s.Dialect().Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE cases SET attach_bytes = ? WHERE id = ?`, zhudun.MaxCaseAttachBytes-10, c.ID)
	if _, err := e.s.AddAttachment(sb1, c.ID, "fits.txt", []byte("ten bytes!")); err != nil {
		t.Fatalf("a file that fits: %v", err)
	}
	if _, err := e.s.AddAttachment(sb1, c.ID, "over.txt", []byte("x")); code(err) != zhudun.ETOOLARGE {
		t.Fatalf("past the case's bytes: %v", err)
	}
	exec(`UPDATE cases SET attach_bytes = 0, attach_count = ? WHERE id = ?`, zhudun.MaxCaseAttachments, c.ID)
	if _, err := e.s.AddAttachment(sb1, c.ID, "over.txt", []byte("x")); code(err) != zhudun.ETOOLARGE {
		t.Fatalf("past the case's count: %v", err)
	}
	if n := len(blobFiles(t, dir)); n != 2 {
		t.Fatalf("%d blobs after refused uploads; want 2", n)
	}
	exec(`UPDATE cases SET attach_bytes = ?, attach_count = 2 WHERE id = ?`, len(pngFile)+10, c.ID)
	list, err := e.s.CaseAttachments(sb1, c.ID)
	e.must(err)
	if len(list) != 2 || list[0].ID != a.ID || list[1].Name != "fits.txt" || list[1].Type != "text" {
		t.Fatalf("list %+v", list)
	}
	// tampering: a byte of the blob, then the recorded digest
	orig, err := os.ReadFile(files[0])
	e.must(err)
	bad := bytes.Clone(orig)
	bad[len(bad)-20] ^= 1
	e.must(os.WriteFile(files[0], bad, 0o600))
	if _, _, err := e.s.ReadAttachment(sb1, c.ID, a.ID); code(err) != zhudun.EINTERNAL {
		t.Fatalf("tampered blob: %v; want EINTERNAL", err)
	}
	e.must(os.WriteFile(files[0], orig, 0o600))
	exec(`UPDATE case_attachments SET sm3 = ? WHERE id = ?`, strings.Repeat("0", 64), a.ID)
	if _, _, err := e.s.ReadAttachment(sb1, c.ID, a.ID); code(err) != zhudun.EINTERNAL {
		t.Fatalf("digest mismatch: %v; want EINTERNAL", err)
	}
	exec(`UPDATE case_attachments SET sm3 = ? WHERE id = ?`, a.SM3, a.ID)
	if _, n, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "case.attachment.download", Result: zhudun.ResultFailed, Limit: 1}); err != nil || n != 2 {
		t.Fatalf("%d failed downloads audited (%v); want 2", n, err)
	}
	// rotation re-seals the file key, not the file; the old key then seals nothing
	if _, err := e.keys.Rotate("pii"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.RekeyPII(e.sys); err != nil {
		t.Fatal(err)
	}
	use, err := e.s.KeyUsage(e.sys)
	e.must(err)
	if use[1] != 0 {
		t.Fatalf("%d values under pii key v1 after rekey", use[1])
	}
	if now, _ := os.ReadFile(files[0]); !bytes.Equal(now, orig) {
		t.Fatal("rekey rewrote the file")
	}
	if _, data, err := e.s.ReadAttachment(sb1, c.ID, a.ID); err != nil || !bytes.Equal(data, pngFile) {
		t.Fatalf("read after rekey: %v", err)
	}
	// deletion: a reason, the record kept, the content destroyed
	if _, err := e.s.DeleteAttachment(sb1, c.ID, a.ID, "错"); code(err) != zhudun.EINVALID {
		t.Fatalf("short reason: %v", err)
	}
	d, err := e.s.DeleteAttachment(sb1, c.ID, a.ID, "上传错了案件")
	e.must(err)
	if d.DeletedAt == nil || d.DeletedBy != "ana1" || d.DeleteWhy != "上传错了案件" {
		t.Fatalf("deleted %+v", d)
	}
	if _, _, err := e.s.ReadAttachment(sb1, c.ID, a.ID); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("read a deleted one: %v", err)
	}
	if _, err := e.s.DeleteAttachment(sb1, c.ID, a.ID, "上传错了案件"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Fatalf("the deleted blob is still there: %v", err)
	}
	var keyEnc string
	e.must(db.QueryRow(e.s.Dialect().Rebind(`SELECT key_enc FROM case_attachments WHERE id = ?`), a.ID).Scan(&keyEnc))
	if keyEnc != "" {
		t.Fatal("a deleted attachment's key is kept")
	}
	if list, _ := e.s.CaseAttachments(sb1, c.ID); len(list) != 2 || list[0].DeletedAt == nil {
		t.Fatalf("list after delete %+v", list)
	}
	cd, err := e.s.FindCaseByID(sb1, c.ID)
	e.must(err)
	var kinds []string
	for _, ev := range cd.Events {
		kinds = append(kinds, ev.Kind)
	}
	if strings.Join(kinds, ",") != "status,attachment.add,attachment.add,attachment.delete" {
		t.Fatalf("timeline kinds %v", kinds)
	}
	// merge: the duplicate's files move to the survivor, with their counts
	dup := e.newCase(sb1, "重复案", "")
	m, err := e.s.AddAttachment(sb1, dup.ID, "回执.txt", []byte("调证回执：已调取"))
	e.must(err)
	if _, err := e.s.MergeCase(sb1, dup.ID, c.ID, "同一团伙重复立案"); err != nil {
		t.Fatal(err)
	}
	if _, data, err := e.s.ReadAttachment(sb1, c.ID, m.ID); err != nil || string(data) != "调证回执：已调取" {
		t.Fatalf("merged attachment read from the survivor: %v", err)
	}
	if list, _ := e.s.CaseAttachments(sb1, dup.ID); len(list) != 0 {
		t.Fatalf("the duplicate still lists %d", len(list))
	}
	var count, bytesN int64
	e.must(db.QueryRow(e.s.Dialect().Rebind(`SELECT attach_count, attach_bytes FROM cases WHERE id = ?`), c.ID).Scan(&count, &bytesN))
	if count != 2 || bytesN != int64(10+len("调证回执：已调取")) {
		t.Fatalf("survivor counts %d files, %d bytes", count, bytesN)
	}
	if _, err := e.s.AddAttachment(sb1, dup.ID, "x.txt", []byte("text")); code(err) != zhudun.ECONFLICT {
		t.Fatalf("upload to a merged case: %v", err)
	}
}

// testCaseAttachRace: 20 uploads at once to a case 5 files short of its
// limit store exactly 5; the 15 refused leave no blob behind.
func testCaseAttachRace(t *testing.T, b Backend) {
	e, dir := attachEnv(t, b)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	c := e.newCase(sb1, "并发上传", "")
	if _, err := e.s.DB().Exec(e.s.Dialect().Rebind(`UPDATE cases SET attach_count = ? WHERE id = ?`), zhudun.MaxCaseAttachments-5, c.ID); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.s.AddAttachment(sb1, c.ID, fmt.Sprintf("%d.txt", i), []byte(fmt.Sprintf("第 %d 份笔录", i)))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok, full := 0, 0
	for err := range errs {
		switch code(err) {
		case "":
			ok++
		case zhudun.ETOOLARGE:
			full++
		default:
			t.Errorf("upload: %v", err)
		}
	}
	if ok != 5 || full != 15 {
		t.Fatalf("%d stored, %d refused; want 5 and 15", ok, full)
	}
	if n := len(blobFiles(t, dir)); n != 5 {
		t.Fatalf("%d blobs; want 5", n)
	}
}

// testCaseEdit: title, type, department, lead and team change after
// opening, within scope, each change audited and on the timeline; a moved
// filed case keeps its number and the departments' serials do not clash.
func testCaseEdit(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1u := e.user("ana1", "SB1", "analyst")
	sb1 := e.as(sb1u)
	sb2u := e.user("ana2", "SB2", "analyst")
	sb2 := e.as(sb2u)
	mate := e.user("ana4", "ST1", "analyst")
	c := e.newCase(sb1, "一分局案", "")
	c = e.fileCase(sb1, c.ID)
	number := c.Number
	str := func(s string) *string { return &s }
	id := func(i int64) *int64 { return &i }
	if _, err := e.s.UpdateCase(sb2, c.ID, zhudun.CaseUpdate{Title: str("越权改名")}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 edits SB1's case: %v", err)
	}
	for name, x := range map[string]struct {
		u     zhudun.CaseUpdate
		field string
	}{
		"short title":     {zhudun.CaseUpdate{Title: str(" 案 ")}, "title"},
		"unknown type":    {zhudun.CaseUpdate{Type: str("arson")}, "type"},
		"dept outside":    {zhudun.CaseUpdate{Dept: str("SB2")}, "dept"},
		"lead outside":    {zhudun.CaseUpdate{Lead: id(sb2u.ID)}, "lead"},
		"team outside":    {zhudun.CaseUpdate{Team: &[]int64{sb2u.ID}}, "team"},
		"nothing at all":  {zhudun.CaseUpdate{}, ""},
		"unknown dept":    {zhudun.CaseUpdate{Dept: str("NOPE")}, "dept"},
		"team of 51 ids":  {zhudun.CaseUpdate{Team: func() *[]int64 { x := make([]int64, 51); return &x }()}, "team"},
		"lead no such id": {zhudun.CaseUpdate{Lead: id(99999)}, "lead"},
	} {
		if _, err := e.s.UpdateCase(sb1, c.ID, x.u); code(err) != zhudun.EINVALID || field(err) != x.field {
			t.Errorf("%s: %v; want EINVALID on %q", name, err, x.field)
		}
	}
	got, err := e.s.UpdateCase(sb1, c.ID, zhudun.CaseUpdate{Title: str("  猫池窝点案 "), Type: str("helping_crime"), Dept: str("ST1"),
		Lead: id(mate.ID), Team: &[]int64{sb1u.ID, mate.ID}})
	e.must(err)
	if got.Title != "猫池窝点案" || got.Type != "helping_crime" || got.DeptCode != "ST1" || got.Lead != "ana4" ||
		strings.Join(got.Team, ",") != "ana1" || got.Number != number {
		t.Fatalf("edited %+v", got.Case)
	}
	last := got.Events[len(got.Events)-1]
	if last.Kind != "edit" || last.From != zhudun.CaseFiled || last.To != zhudun.CaseFiled || last.Actor != "ana1" {
		t.Fatalf("edit event %+v", last)
	}
	want := "title:一分局案→猫池窝点案 type:telecom_fraud→helping_crime dept:SB1→ST1 lead:→ana4 team:→ana1"
	var have []string
	for _, ch := range last.Changes {
		have = append(have, ch.Field+":"+ch.Before+"→"+ch.After)
	}
	if strings.Join(have, " ") != want {
		t.Fatalf("changes %s\nwant    %s", strings.Join(have, " "), want)
	}
	if n := e.auditCount("case.update"); n != 1 {
		t.Fatalf("%d case.update rows; want 1", n)
	}
	// the same values again change nothing and write nothing
	if _, err := e.s.UpdateCase(sb1, c.ID, zhudun.CaseUpdate{Title: str("猫池窝点案"), Dept: str("ST1")}); err != nil {
		t.Fatal(err)
	}
	if n := e.auditCount("case.update"); n != 1 {
		t.Fatalf("a no-op edit audited: %d rows", n)
	}
	// ST1's first filing takes ST1's serial 1 although the moved case holds SB1's
	c2 := e.fileCase(sb1, e.newCase(sb1, "一所案", "ST1").ID)
	if c2.Serial != 1 || c2.Number == number {
		t.Fatalf("ST1's first filing: %s (serial %d); the moved case is %s", c2.Number, c2.Serial, number)
	}
	// clearing the lead; a merged case is not edited
	got, err = e.s.UpdateCase(sb1, c.ID, zhudun.CaseUpdate{Lead: id(0)})
	e.must(err)
	if got.Lead != "" || got.LeadID != 0 {
		t.Fatalf("lead cleared: %+v", got.Case)
	}
	dup := e.newCase(sb1, "重复", "")
	if _, err := e.s.MergeCase(sb1, dup.ID, c.ID, "同一团伙重复立案"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UpdateCase(sb1, dup.ID, zhudun.CaseUpdate{Title: str("改名")}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("edit a merged case: %v", err)
	}
}
