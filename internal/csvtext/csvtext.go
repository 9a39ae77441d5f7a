// Package csvtext reads the text of a CSV file as users' spreadsheets
// write it: UTF-8 (with or without a byte-order mark), or GB 18030 — what
// Excel's "CSV (逗号分隔)" writes on a Chinese Windows (GBK, its subset,
// included).
package csvtext

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrEncoding is returned for bytes that are neither UTF-8 nor GB 18030.
var ErrEncoding = errors.New("the file is neither UTF-8 nor GB 18030 text: save it as CSV UTF-8")

// UTF8 returns data as UTF-8 without a byte-order mark. Valid UTF-8 is
// taken as UTF-8 (a GB 18030 file of Chinese text is almost never valid
// UTF-8; one of ASCII only is the same in both); anything else is decoded
// as GB 18030, and bytes that do not decode are ErrEncoding, not
// replacement characters.
func UTF8(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return data, nil
	}
	d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(d, utf8.RuneError) {
		return nil, ErrEncoding
	}
	return d, nil
}
