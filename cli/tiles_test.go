package cli

import "testing"

func TestCheckTiles(t *testing.T) {
	for tpl, ok := range map[string]bool{
		"": true, "https://pgis.example/tiles/{z}/{x}/{y}.png": true, "/tiles/{z}/{x}/{y}.png": true,
		"http://pgis/wmts?layer=vec&TileMatrix={TileMatrix}&TileCol={TileCol}&TileRow={TileRow}": true,
		"https://pgis.example/tiles/{z}/{x}.png":                                                 false, "//cdn/{z}/{x}/{y}": false, "javascript:{z}{x}{y}": false,
	} {
		if err := checkTiles(tpl); (err == nil) != ok {
			t.Errorf("checkTiles(%q) = %v, want ok %v", tpl, err, ok)
		}
	}
}
