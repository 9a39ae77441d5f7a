package zhudun

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// jpegWithGPS is a real JPEG with an APP1 EXIF segment carrying a GPS
// marker and a comment, inserted after SOI.
func jpegWithGPS(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	exif := append([]byte("Exif\x00\x00GPSLatitude 36.65 GPSLongitude 117.0"), make([]byte, 8)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(exif)+2))
	com := []byte{0xFF, 0xFE, 0, 9, 'h', 'e', 'l', 'l', 'o', '!', '!'}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, exif...)
	out = append(out, com...)
	return append(out, b[2:]...)
}

func TestStripJPEG(t *testing.T) {
	b := jpegWithGPS(t)
	if typ, err := SniffPhoto(b); err != nil || typ != "image/jpeg" {
		t.Fatalf("sniff = %q, %v", typ, err)
	}
	s := StripPhotoMetadata(b)
	if s == nil || bytes.Contains(s, []byte("GPS")) || bytes.Contains(s, []byte("Exif")) || bytes.Contains(s, []byte("hello")) {
		t.Fatalf("stripped JPEG still has metadata (%d bytes)", len(s))
	}
	if _, err := jpeg.Decode(bytes.NewReader(s)); err != nil {
		t.Fatalf("stripped JPEG does not decode: %v", err)
	}
	if StripPhotoMetadata(b[:40]) != nil {
		t.Error("a truncated JPEG was served")
	}
}

func TestStripPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	chunk := func(typ string, data []byte) []byte {
		c := make([]byte, 8, 12+len(data))
		binary.BigEndian.PutUint32(c, uint32(len(data)))
		copy(c[4:], typ)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	}
	// eXIf and tEXt after IHDR (8 + 25 bytes).
	withMeta := append(append(append([]byte{}, b[:33]...), chunk("eXIf", []byte("MM\x00*GPS 36.6"))...), chunk("tEXt", []byte("Comment\x00at home"))...)
	withMeta = append(withMeta, b[33:]...)
	s := StripPhotoMetadata(withMeta)
	if s == nil || bytes.Contains(s, []byte("GPS")) || bytes.Contains(s, []byte("at home")) {
		t.Fatal("stripped PNG still has metadata")
	}
	if _, err := png.Decode(bytes.NewReader(s)); err != nil {
		t.Fatalf("stripped PNG does not decode: %v", err)
	}
}

func TestSniffPhoto(t *testing.T) {
	for _, x := range []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"empty", nil, false},
		{"gif", []byte("GIF89a...."), false},
		{"html named .jpg", []byte("<html><script>"), false},
		{"too large", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, MaxPhotoBytes)...), false},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), true},
	} {
		if _, err := SniffPhoto(x.b); (err == nil) != x.ok {
			t.Errorf("%s: %v", x.name, err)
		}
	}
}
