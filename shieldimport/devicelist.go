// Package shieldimport reads the 铸盾 imports (issue 16, docs/zhudun.md):
// a GB/T 28181 platform's device list (CSV) and the bureau's community
// sheets (.xlsx or CSV). Every row that does not read carries an error
// naming its line and column; the rows that read are returned beside.
package shieldimport

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
	"github.com/zhudun/zhudun/internal/csvtext"
)

// MaxRows bounds one file.
const MaxRows = 200000

// deviceColumns maps the header names a platform's export uses (WVP's
// channel list, the GB/T 28181 catalog's element names, Chinese
// headings) to fields.
var deviceColumns = map[string]string{
	"device_id": "device_id", "deviceid": "device_id", "channelid": "device_id", "channel_id": "device_id", "国标编号": "device_id", "通道编号": "device_id", "设备编码": "device_id",
	"name": "name", "名称": "name", "通道名称": "name", "设备名称": "name",
	"longitude": "longitude", "lon": "longitude", "经度": "longitude",
	"latitude": "latitude", "lat": "latitude", "纬度": "latitude",
	"status": "status", "在线状态": "status", "状态": "status",
	"direction": "direction", "方向": "direction", "朝向": "direction",
	"fov": "fov", "视场角": "fov",
	"range": "range", "range_m": "range", "监控距离": "range",
	"height": "height", "height_m": "height", "安装高度": "height",
	"type": "type", "类型": "type", "ptztype": "ptz_type",
	"owner": "owner", "权属": "owner", "建设单位类型": "owner",
}

var cameraTypeNames = map[string]string{"枪机": zhudun.CameraFixed, "固定": zhudun.CameraFixed, "云台": zhudun.CameraPTZ, "球机": zhudun.CameraDome,
	"人脸抓拍": zhudun.CameraFace, "车牌抓拍": zhudun.CameraPlate}

// ptzTypes are GB/T 28181-2016 Annex A's PTZType: 1 球机, 2 半球, 3 固定枪机, 4 遥控枪机.
var ptzTypes = map[string]string{"1": zhudun.CameraDome, "2": zhudun.CameraDome, "3": zhudun.CameraFixed, "4": zhudun.CameraPTZ}

var ownerNames = map[string]string{"公安": zhudun.OwnerPolice, "公安自建": zhudun.OwnerPolice, "小区": zhudun.OwnerCommunity, "社区": zhudun.OwnerCommunity,
	"单位": zhudun.OwnerUnit, "社会单位": zhudun.OwnerUnit}

// Defaults for a camera whose row gives no view: a device list says where
// a camera is, not where it looks, so it is taken to see DefaultRange
// metres all round — small on purpose: unknown views under-, not
// over-state coverage (docs/zhudun.md).
const (
	DefaultFOV   = 360
	DefaultRange = 20
)

// ParseDeviceList reads a GB/T 28181 device list as CSV: UTF-8 (a BOM
// allowed) or GB 18030/GBK (Excel on a Chinese Windows), told apart by
// whether the bytes are valid UTF-8 (internal/csvtext). Required columns:
// device_id, name, longitude, latitude, status (ON/OFF; 在线/离线 too).
// Columns it does not know are kept in Extra. With gcj the coordinates
// are GCJ-02 and are converted to WGS-84. Line numbers are the file's
// (the header is line 1).
func ParseDeviceList(data []byte, gcj bool) ([]zhudun.Camera, []zhudun.ImportRowError, error) {
	text, err := csvtext.UTF8(data)
	if err != nil {
		return nil, nil, zhudun.FieldError("file", "%v", err)
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, nil, zhudun.FieldError("file", "no header line: %v", csvErr(err))
	}
	cols := make([]string, len(head))
	have := map[string]bool{}
	for i, h := range head {
		h = strings.TrimSpace(h)
		f, ok := deviceColumns[strings.ToLower(h)]
		if !ok {
			f = "extra:" + h
		} else if have[f] {
			return nil, nil, zhudun.FieldError("file", "column %s appears twice in the header", h)
		}
		cols[i], have[f] = f, true
	}
	for _, need := range []string{"device_id", "name", "longitude", "latitude", "status"} {
		if !have[need] {
			return nil, nil, zhudun.FieldError("file", "the header has no %s column", need)
		}
	}
	var out []zhudun.Camera
	var bad []zhudun.ImportRowError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if asParseErr(err, &pe) {
				return nil, nil, zhudun.FieldError("file", "line %d: %v", pe.Line, pe.Err)
			}
			return nil, nil, zhudun.FieldError("file", "%v", err)
		}
		line, _ := cr.FieldPos(0)
		if len(out)+len(bad) >= MaxRows {
			return nil, nil, zhudun.FieldError("file", "more than %d rows", MaxRows)
		}
		if blank(rec) {
			continue
		}
		c, rerr := deviceRow(line, rec, cols, gcj)
		if rerr != nil {
			bad = append(bad, *rerr)
			continue
		}
		out = append(out, c)
	}
	if len(out)+len(bad) == 0 {
		return nil, nil, zhudun.FieldError("file", "the list names no device")
	}
	return out, bad, nil
}

func deviceRow(line int, rec []string, cols []string, gcj bool) (zhudun.Camera, *zhudun.ImportRowError) {
	c := zhudun.Camera{Line: line, FOV: DefaultFOV, Range: DefaultRange, Type: zhudun.CameraFixed, Owner: zhudun.OwnerPolice}
	fail := func(field, format string, args ...any) (zhudun.Camera, *zhudun.ImportRowError) {
		return zhudun.Camera{}, &zhudun.ImportRowError{Row: line, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	var lonS, latS, status string
	for i, v := range rec {
		if i >= len(cols) {
			break
		}
		v = strings.TrimSpace(v)
		switch f := cols[i]; f {
		case "device_id":
			c.DeviceID = v
		case "name":
			c.Name = v
		case "longitude":
			lonS = v
		case "latitude":
			latS = v
		case "status":
			status = v
		case "direction", "fov", "range", "height":
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return fail(f, "%q is not a number", clip(v))
			}
			c.ViewGiven = true
			switch f {
			case "direction":
				c.Direction = x
			case "fov":
				c.FOV = x
			case "range":
				c.Range = x
			default:
				c.Height = x
			}
		case "type", "ptz_type":
			if v == "" {
				continue
			}
			t, ok := cameraTypeNames[v]
			if f == "ptz_type" {
				t, ok = ptzTypes[v]
			} else if !ok {
				t, ok = v, true
			}
			if !ok {
				return fail(f, "unknown PTZType %q (1–4)", clip(v))
			}
			c.Type, c.ViewGiven = t, true
		case "owner":
			if v == "" {
				continue
			}
			if o, ok := ownerNames[v]; ok {
				v = o
			}
			c.Owner, c.ViewGiven = v, true
		default:
			if v != "" {
				if c.Extra == nil {
					c.Extra = map[string]string{}
				}
				if len(c.Extra) < 50 {
					c.Extra[strings.TrimPrefix(f, "extra:")] = clipN(v, 500)
				}
			}
		}
	}
	if err := zhudun.CheckDeviceID(c.DeviceID); err != nil {
		return fail("device_id", "%s", zhudun.ErrorMessage(err))
	}
	switch strings.ToUpper(status) {
	case "ON", "在线", "1", "TRUE":
		c.Online = true
	case "OFF", "离线", "0", "FALSE":
	default:
		return fail("status", "%q is neither ON nor OFF", clip(status))
	}
	lon, err1 := strconv.ParseFloat(lonS, 64)
	lat, err2 := strconv.ParseFloat(latS, 64)
	if err1 != nil || math.IsNaN(lon) || lon < 73 || lon > 136 {
		return fail("longitude", "%q is not a longitude inside China", clip(lonS))
	}
	if err2 != nil || math.IsNaN(lat) || lat < 3 || lat > 54 {
		return fail("latitude", "%q is not a latitude inside China", clip(latS))
	}
	if gcj {
		lon, lat = geo.GCJ02ToWGS84(lon, lat)
	}
	c.Lon, c.Lat = lon, lat
	if err := c.Validate(); err != nil {
		field := "device_id"
		if ze, ok := err.(*zhudun.Error); ok {
			field = ze.Field
		}
		return fail(field, "%s", zhudun.ErrorMessage(err))
	}
	return c, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func clip(s string) string { return clipN(s, 40) }

func clipN(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func csvErr(err error) string {
	if err == io.EOF {
		return "the file is empty"
	}
	return err.Error()
}

func asParseErr(err error, pe **csv.ParseError) bool {
	p, ok := err.(*csv.ParseError)
	if ok {
		*pe = p
	}
	return ok
}
