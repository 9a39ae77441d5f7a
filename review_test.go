package zhudun_test

import (
	"fmt"
	"testing"

	"github.com/zhudun/zhudun"
)

// TestReviewValidate: a reason of 4–500 characters; the allowlist only
// from a "legitimate" dismissal.
func TestReviewValidate(t *testing.T) {
	long := make([]rune, 501)
	for i := range long {
		long[i] = '字'
	}
	for _, c := range []struct {
		r  zhudun.Review
		ok bool
	}{
		{zhudun.Review{Decision: "confirm", Reason: "证据充分"}, true},
		{zhudun.Review{Decision: "confirm", Reason: "证据"}, false},
		{zhudun.Review{Decision: "confirm", Reason: string(long)}, false},
		{zhudun.Review{Decision: "confirm", Reason: string(long[:500])}, true},
		{zhudun.Review{Decision: "cut", Reason: "证据充分"}, false},
		{zhudun.Review{Decision: "dismiss", Reason: "legitimate", Allow: true}, true},
		{zhudun.Review{Decision: "dismiss", Reason: "legitimate: 快递公司", Allow: true}, true},
		{zhudun.Review{Decision: "dismiss", Reason: "legitimately odd", Allow: true}, false},
		{zhudun.Review{Decision: "confirm", Reason: "legitimate", Allow: true}, false},
	} {
		if err := c.r.Validate(); (err == nil) != c.ok {
			t.Errorf("%q %q allow=%v: %v", c.r.Decision, c.r.Reason, c.r.Allow, err)
		}
	}
}

// TestNewFigure: the change in percent to one decimal, null when last
// year's is 0.
func TestNewFigure(t *testing.T) {
	for _, c := range []struct {
		v, last float64
		want    string
	}{{3, 1, "200"}, {2, 3, "-33.3"}, {1, 3, "-66.7"}, {5, 0, "<nil>"}, {0, 0, "<nil>"}, {1001, 1000, "0.1"}} {
		f := zhudun.NewFigure(c.v, c.last)
		got := "<nil>"
		if f.ChangePct != nil {
			got = fmt.Sprint(*f.ChangePct)
		}
		if got != c.want {
			t.Errorf("%v over %v: %s; want %s", c.v, c.last, got, c.want)
		}
	}
}

// TestSourceBinding: a source is bound to its name unless told; a binding
// may not hold a comma (the stored networks list's separator).
func TestSourceBinding(t *testing.T) {
	n := zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier}
	if err := n.Validate(); err != nil || n.Binding != "cmcc" {
		t.Fatalf("default binding %q %v", n.Binding, err)
	}
	n = zhudun.NewSource{Name: "sd-mobile", Kind: zhudun.SourceCarrier, Binding: " cmcc "}
	if err := n.Validate(); err != nil || n.Binding != "cmcc" {
		t.Fatalf("binding %q %v", n.Binding, err)
	}
	n = zhudun.NewSource{Name: "x", Kind: zhudun.SourceCarrier, Binding: "cmcc,cucc"}
	if err := n.Validate(); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Fatalf("a comma in a binding: %v", err)
	}
}
