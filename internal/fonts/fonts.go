// Package fonts embeds the CJK TrueType font the PDF exports are drawn
// with, so that the binary stands alone at run time.
//
// gbsn00lp.ttf is AR PL SungtiL GB (文鼎PL简报宋), © 1999 Arphic Technology,
// under the Arphic Public License (ARPHICPL.TXT beside it), which allows
// verbatim copies to be distributed; taken unchanged from Debian's
// fonts-arphic-gbsn00lp. A .ttf because the PDF library reads TrueType only
// (the Noto CJK and WenQuanYi fonts are .ttc collections); 5.2 MB.
package fonts

import _ "embed"

// SongTi is gbsn00lp.ttf, a Song (宋体) face with the GB 2312 characters.
//
//go:embed gbsn00lp.ttf
var SongTi []byte

// SongTiName is the family name the exports register the font under.
const SongTiName = "songti"
