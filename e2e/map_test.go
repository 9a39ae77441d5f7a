package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/zhudun/zhudun/cli"
)

// tileGreen is the colour of every test tile: no district or grid fill of
// the UI has it, so seeing it on screen means the tiles are drawn.
var tileGreen = color.RGBA{0x2e, 0x8b, 0x57, 0xff}

func tilePNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			img.Set(x, y, tileGreen)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tileXY is the XYZ tile (Web Mercator) holding lon, lat at zoom z.
func tileXY(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// The bureau's tile service (--map-tiles): a local XYZ server of green PNG
// tiles. The map asks it for the tiles under its view and draws them under
// the districts and grids.
func TestMapTiles(t *testing.T) {
	body := tilePNG(t)
	var mu sync.Mutex
	asked := map[string]bool{}
	tileRE := regexp.MustCompile(`^/tiles/(\d+)/(\d+)/(\d+)\.png$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tileRE.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		asked[r.URL.Path] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(body)
	}))
	defer srv.Close()
	e := start(t, "--map-tiles", srv.URL+"/tiles/{z}/{x}/{y}.png", "--map-tiles-attribution", "测试底图 PGIS")
	p := e.newPage(t, "lixia.dispatcher", 1366, 768)
	p.firstLogin("lixia.dispatcher")
	p.nav("grid", "/patrol/map")
	p.waitTextIn(".page-sub", "底图瓦片来自本局地图服务")
	p.waitFor("the tiles on", `document.querySelector('[data-testid="grid-map"]').dataset.tiles === 'on'`)
	p.waitFor("tiles loaded", `document.querySelectorAll('[data-testid="grid-map"] img.leaflet-tile-loaded').length >= 4`)
	p.waitFor("the grids over the tiles", `document.querySelectorAll('[data-testid="grid-map"] path.zd-grid').length > 0`)
	p.waitTextIn(`[data-testid="grid-map"]`, "测试底图 PGIS")
	// The tile under the map's centre was asked for, at the map's zoom.
	srcs := eval[[]string](p, `Array.from(document.querySelectorAll('[data-testid="grid-map"] img.leaflet-tile-loaded')).map(i => i.src)`)
	for _, s := range srcs {
		if !strings.HasPrefix(s, srv.URL+"/tiles/") {
			p.fatalf("a tile from %s, not the configured server", s)
		}
	}
	m := tileRE.FindStringSubmatch(strings.TrimPrefix(srcs[0], srv.URL))
	z, _ := strconv.Atoi(m[1])
	// The demo city: every tile drawn lies around Jinan (117.0 E, 36.65 N) at that zoom.
	cx, cy := tileXY(117.02, 36.66, z)
	span := int(math.Exp2(float64(z))/360*3) + 2 // three degrees of tiles either way
	for _, s := range srcs {
		m := tileRE.FindStringSubmatch(strings.TrimPrefix(s, srv.URL))
		tz, _ := strconv.Atoi(m[1])
		x, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if tz != z || x < cx-span || x > cx+span || y < cy-span || y > cy+span {
			p.fatalf("tile %s is not around Jinan (z %d, x %d±%d, y %d±%d)", s, z, cx, span, cy, span)
		}
	}
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	if n < len(srcs) {
		p.fatalf("the tile server answered %d tiles, the page shows %d", n, len(srcs))
	}
	// Drawn: the screen shows the tiles' green around the grids. Leaflet
	// fades a tile in over 200 ms after it loads, so the shot waits until
	// every tile and its pane are opaque (under load a shot taken at once
	// caught the tiles half-faded).
	p.waitFor("tiles faded in", `(() => {
		const opaque = el => getComputedStyle(el).opacity === '1';
		const tiles = Array.from(document.querySelectorAll('[data-testid="grid-map"] img.leaflet-tile-loaded'));
		const panes = Array.from(document.querySelectorAll('[data-testid="grid-map"] .leaflet-tile-container, [data-testid="grid-map"] .leaflet-layer'));
		return tiles.length >= 4 && tiles.every(opaque) && panes.every(opaque);
	})()`)
	path := p.shot("map-tiles")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r := eval[[]float64](p, `(() => { const r = document.querySelector('[data-testid="grid-map"]').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom] })()`)
	green, all := 0, 0
	for y := int(r[1]) + 2; y < int(r[3])-2; y += 3 {
		for x := int(r[0]) + 2; x < int(r[2])-2; x += 3 {
			all++
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if c == tileGreen {
				green++
			}
		}
	}
	if all == 0 || green*10 < all {
		p.fatalf("%d of %d sampled map pixels are the tiles' green: the tiles are not drawn", green, all)
	}
	t.Logf("%d tiles at zoom %d; %d%% of the map shows them", len(srcs), z, green*100/all)
}

// Without --map-tiles no request leaves the machine: every one the pages
// make goes to zhudun itself. And the map's view follows the districts the
// bureau imported, not a city built into the UI.
func TestMapOwnDistrictsNoTiles(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "lixia.dispatcher", 1366, 768)
	var mu sync.Mutex
	var foreign []string
	err := chromedp.Listen(p.ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok {
			u := r.Request.URL
			if !strings.HasPrefix(u, e.url+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") && u != "about:blank" {
				mu.Lock()
				foreign = append(foreign, u)
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p.firstLogin("lixia.dispatcher")
	p.nav("grid", "/patrol/map")
	p.waitFor("the map", `(() => { const m = document.querySelector('[data-testid="grid-map"]'); return !!m && m.dataset.districts === '12' && m.dataset.tiles === 'off' && !!m.dataset.maxBounds })()`)
	jinan := eval[string](p, `document.querySelector('[data-testid="grid-map"]').dataset.maxBounds`)
	var b [2][2]float64
	json.Unmarshal([]byte(jinan), &b)
	if !(b[0][0] < 36.66 && 36.66 < b[1][0] && b[0][1] < 117.02 && 117.02 < b[1][1]) {
		p.fatalf("the demo's map bounds %s do not hold Jinan", jinan)
	}
	p.nav("incident", "/patrol/incidents")
	p.click(`[data-testid="incident-new"]`)
	p.waitFor("the form's map", `(() => { const m = document.querySelector('[data-testid="incident-map"]'); return !!m && m.dataset.districts === '12' })()`)
	time.Sleep(time.Second)
	mu.Lock()
	if len(foreign) > 0 {
		t.Errorf("requests left the machine without --map-tiles: %v", foreign)
	}
	mu.Unlock()

	// Another city's districts (two squares off Qingdao), imported as the
	// installer does: the map is held to them at its next load.
	gj := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"adcode":370202,"name":"甲区"},"geometry":{"type":"Polygon","coordinates":[[[120.30,36.05],[120.40,36.05],[120.40,36.12],[120.30,36.12],[120.30,36.05]]]}},
{"type":"Feature","properties":{"adcode":370203,"name":"乙区"},"geometry":{"type":"Polygon","coordinates":[[[120.40,36.05],[120.50,36.05],[120.50,36.12],[120.40,36.12],[120.40,36.05]]]}}]}`
	file := filepath.Join(t.TempDir(), "qd.geojson")
	os.WriteFile(file, []byte(gj), 0o644)
	var out bytes.Buffer
	if code := cli.Main(context.Background(), []string{"import", "districts", "--data", e.data, "--crs", "wgs84", file}, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("import districts: %d %s", code, out.String())
	}
	q := e.newPage(t, "lixia.dispatcher-qd", 1366, 768)
	q.login("lixia.dispatcher", e.password("lixia.dispatcher"))
	q.open("/patrol/map")
	q.waitFor("the imported districts", `(() => { const m = document.querySelector('[data-testid="grid-map"]'); return !!m && m.dataset.districts === '2' && !!m.dataset.maxBounds })()`)
	got := eval[string](q, `document.querySelector('[data-testid="grid-map"]').dataset.maxBounds`)
	json.Unmarshal([]byte(got), &b)
	// The squares span 120.30–120.50 E, 36.05–36.12 N; held to them with half their size around.
	if !(b[0][0] <= 36.05 && b[1][0] >= 36.12 && b[0][1] <= 120.30 && b[1][1] >= 120.50) || b[0][1] > 120.30 || b[0][1] < 120.19 || b[1][1] > 120.61 || b[1][0] > 36.16 {
		q.fatalf("the map's bounds %s are not the imported districts' (120.30–120.50 E, 36.05–36.12 N, half again around)", got)
	}
	if b[0][1] < 117.02 && 117.02 < b[1][1] {
		q.fatalf("the map's bounds %s still hold Jinan", got)
	}
	// "Whole city" shows both districts whole.
	q.click(`[data-testid="map-fit-city"]`)
	q.waitStill(`[data-testid="grid-map"] path.zd-district`)
	q.waitFor("the view on the new districts", `(() => { const ds = Array.from(document.querySelectorAll('[data-testid="grid-map"] path.zd-district')); const m = document.querySelector('[data-testid="grid-map"]').getBoundingClientRect(); return ds.length === 2 && ds.every(p => { const r = p.getBoundingClientRect(); return r.width > 100 && r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom }) })()`)
	q.shot("map-own-districts")
}
