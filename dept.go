package zhudun

import (
	"context"
	"regexp"
	"time"
)

// Department kinds, from the top of a city bureau down.
const (
	DeptBureau    = "bureau"    // 市公安局
	DeptSubBureau = "subbureau" // 分局
	DeptDivision  = "division"  // 支队 / 大队 / 中心
	DeptStation   = "station"   // 派出所
	DeptSquad     = "squad"     // 中队 / 警务室
)

// RootDeptCode is the code of the root department that migrations create.
const RootDeptCode = "ROOT"

// RootDeptID is the id of the root department that migrations create.
const RootDeptID int64 = 1

// RootDeptPath is the materialised path of the root department (id 1).
const RootDeptPath = "/1/"

// ValidDeptKind reports whether k is a known department kind.
func ValidDeptKind(k string) bool {
	switch k {
	case DeptBureau, DeptSubBureau, DeptDivision, DeptStation, DeptSquad:
		return true
	}
	return false
}

var deptCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{1,31}$`)

// ValidDeptCode reports whether code is 2–32 of A–Z, 0–9, '_' and '-'.
func ValidDeptCode(code string) bool { return deptCodeRE.MatchString(code) }

// Dept is a department of the police organisation tree.
type Dept struct {
	ID         int64     `json:"id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	ParentID   int64     `json:"parent_id,omitempty"`
	ParentCode string    `json:"parent_code,omitempty"`
	Path       string    `json:"path"` // materialised ids, "/1/4/9/"
	Disabled   bool      `json:"disabled"`
	RegionCode string    `json:"region_code,omitempty"` // GB/T 2260 district code
	Lon        *float64  `json:"lon,omitempty"`         // WGS-84 location (stations)
	Lat        *float64  `json:"lat,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// DeptFilter selects departments. Zero fields do not filter.
type DeptFilter struct {
	ID       int64
	Code     string
	Under    string // code: only this department and its subtree
	Q        string // name or code contains
	Disabled *bool
	Offset   int
	Limit    int
}

// DeptUpdate changes a department. Nil fields are left alone. Moving
// (ParentCode) re-roots the whole subtree.
type DeptUpdate struct {
	Name       *string
	Kind       *string
	ParentCode *string
	Disabled   *bool
	RegionCode *string
	Lon, Lat   *float64
}

// DeptService manages the department tree within the caller's scope of
// dept:read / dept:write. Errors: EINVALID, ENOTFOUND (also for departments
// outside the scope), ECONFLICT (code taken, move into own subtree),
// EFORBIDDEN, EUNAUTHORIZED.
type DeptService interface {
	CreateDept(ctx context.Context, d *Dept) error
	FindDepts(ctx context.Context, f DeptFilter) ([]*Dept, int, error)
	FindDeptByCode(ctx context.Context, code string) (*Dept, error)
	UpdateDept(ctx context.Context, code string, u DeptUpdate) (*Dept, error)
}
