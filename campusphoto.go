package zhudun

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"time"
)

// Photos of hazards (issue 14 item 3): taken on the phone at the visit,
// size-limited and type-checked by their content (not by the name or the
// header the phone sends), stored as taken, and served with their
// metadata — EXIF, which carries the GPS position, XMP, comments —
// stripped.

// MaxPhotoBytes is the largest photo accepted.
const MaxPhotoBytes = 5 << 20

// Photo kinds: the hazard as found, and the rectification on the spot.
const (
	PhotoFound     = "found"
	PhotoRectified = "rectified"
)

// Photo is a stored photo's description.
type Photo struct {
	ID          int64     `json:"id"`
	HazardID    int64     `json:"hazard_id"`
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// SniffPhoto returns the content type of a JPEG or PNG photo from its
// bytes, or EINVALID for anything else, an empty file or one over
// MaxPhotoBytes.
func SniffPhoto(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", FieldError("photo", "the photo is empty")
	case len(b) > MaxPhotoBytes:
		return "", FieldError("photo", "a photo is at most %d MB", MaxPhotoBytes>>20)
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg", nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	}
	return "", FieldError("photo", "a photo is a JPEG or PNG image")
}

// StripPhotoMetadata returns the photo without its metadata: a JPEG
// loses its APP1–APP15 and COM segments (EXIF with GPS, XMP, comments;
// APP0, the JFIF header, stays), a PNG its eXIf, tEXt, zTXt, iTXt and
// tIME chunks. The image data is copied as it is. A file that does not
// parse is returned as nil: it is not served.
func StripPhotoMetadata(b []byte) []byte {
	if len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 {
		return stripJPEG(b)
	}
	if bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		return stripPNG(b)
	}
	return nil
}

func stripJPEG(b []byte) []byte {
	out := append(make([]byte, 0, len(b)), 0xFF, 0xD8)
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		if m == 0xDA { // start of scan: the rest is image data
			return append(out, b[i:]...)
		}
		if m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			out = append(out, b[i:i+2]...)
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		if !(m >= 0xE1 && m <= 0xEF) && m != 0xFE {
			out = append(out, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	return nil
}

var pngDrop = map[string]bool{"eXIf": true, "tEXt": true, "zTXt": true, "iTXt": true, "tIME": true}

func stripPNG(b []byte) []byte {
	out := append(make([]byte, 0, len(b)), b[:8]...)
	i := 8
	for i+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || i+12+n > len(b) {
			return nil
		}
		typ := string(b[i+4 : i+8])
		if crc32.ChecksumIEEE(b[i+4:i+8+n]) != binary.BigEndian.Uint32(b[i+8+n:]) {
			return nil
		}
		if !pngDrop[typ] {
			out = append(out, b[i:i+12+n]...)
		}
		i += 12 + n
		if typ == "IEND" {
			return out
		}
	}
	return nil
}
