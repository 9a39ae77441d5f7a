package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// TestAppealReceiptTellsNothingOfTheCut: an officer's receipt is the same
// whether the entity is cut or not. The engine keeps a device's IMEI as
// seen (15 digits, check digit included) while an appeal is keyed by the
// 14-digit body: a receipt echoing the finding's entity told a station
// that this device is cut (15 digits back) and that one not (14).
func TestAppealReceiptTellsNothingOfTheCut(t *testing.T) {
	h := newHarness(t)
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_device", EntityType: "imei", Entity: "861234567890128", Score: 0.9,
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[]`), Source: "test", Networks: []string{"cmcc"}}
	if err := h.store.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.DB().Exec(`UPDATE findings SET review = ? WHERE id = ?`, zhudun.ReviewCut, f.ID); err != nil {
		t.Fatal(err)
	}
	entity := func(imei string) string {
		t.Helper()
		res := h.do("off1", "POST", "/api/v1/appeals", map[string]any{"category": "black_device", "entity": imei,
			"id_number": "11010519491231002X", "reason": "本人正常使用，申请恢复"})
		if res.status != 201 {
			t.Fatalf("appeal %s: %d %s", imei, res.status, res.body)
		}
		var r struct{ Entity string }
		json.Unmarshal(res.body, &r)
		return r.Entity
	}
	cut, notCut := entity("861234567890128"), entity("869876543210982")
	if len(cut) != len(notCut) {
		t.Fatalf("receipts differ: cut device %q, device not cut %q", cut, notCut)
	}
}
