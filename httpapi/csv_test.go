package httpapi

import (
	"bytes"
	"testing"
)

// TestWriteCSV: only text a spreadsheet would run as a formula gets the
// quote prefix; numbers, typed or as text, stay numbers; cells holding a
// separator of any locale (comma or semicolon), a quote or a line break are
// quoted.
func TestWriteCSV(t *testing.T) {
	sh := sheet{header: []string{"a", "b", "c", "d"}, rows: [][]any{
		{-66.7, "-66.7", "+3", "1e5"},
		{"=1+2", "-1+2", "+A1", "@SUM(A1)"},
		{"\tx", "a;b", "say \"hi\"", "line\nbreak"},
		{-3, true, nil, "普通文本"},
		{"-", "--x", " lead", "a,b"},
	}}
	var b bytes.Buffer
	if err := writeCSV(&b, sh); err != nil {
		t.Fatal(err)
	}
	want := "a,b,c,d\r\n" +
		"-66.7,-66.7,+3,1e5\r\n" +
		"'=1+2,'-1+2,'+A1,'@SUM(A1)\r\n" +
		"'\tx,\"a;b\",\"say \"\"hi\"\"\",\"line\nbreak\"\r\n" +
		"-3,true,,普通文本\r\n" +
		"'-,'--x,\" lead\",\"a,b\"\r\n"
	if got := b.String(); got != want {
		t.Errorf("csv:\n%q\nwant\n%q", got, want)
	}
}
