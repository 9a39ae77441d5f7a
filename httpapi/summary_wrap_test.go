package httpapi

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// TestWrapCJK: lines break between any two characters at the width, a
// closing mark stays with the character before it, a number stays whole,
// and the text's own line breaks are kept. Every character is 1 wide.
func TestWrapCJK(t *testing.T) {
	width := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
	for _, c := range []struct {
		text  string
		width float64
		want  []string
	}{
		{"一二三四五六七", 3, []string{"一二三", "四五六", "七"}},
		{"一二三，四五", 3, []string{"一二", "三，四", "五"}},
		{"案件2,340起", 6, []string{"案件", "2,340起"}},
		{"一二\n三四五六", 3, []string{"一二", "三四五", "六"}},
		{"1234567", 3, []string{"123", "456", "7"}}, // a number longer than a line is cut
	} {
		if got := wrapCJK(width, c.text, c.width); !slices.Equal(got, c.want) {
			t.Errorf("wrapCJK(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
