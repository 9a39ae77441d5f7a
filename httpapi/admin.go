package httpapi

import (
	"net/http"
	"strings"

	"github.com/zhudun/zhudun"
)

// --- departments ---

func (s *Server) listDepts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	off, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	lim, err := queryInt(r, "limit", 500)
	if err != nil {
		return err
	}
	dis, err := queryBool(r, "disabled")
	if err != nil {
		return err
	}
	ds, n, err := s.store.FindDepts(r.Context(), zhudun.DeptFilter{Q: q.Get("q"), Under: q.Get("under"), Code: q.Get("code"), Disabled: dis, Offset: off, Limit: lim})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ds, n))
	return nil
}

type deptBody struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	ParentCode string   `json:"parent_code"`
	RegionCode string   `json:"region_code"`
	Lon        *float64 `json:"lon"`
	Lat        *float64 `json:"lat"`
}

func (s *Server) createDept(w http.ResponseWriter, r *http.Request) error {
	var b deptBody
	if err := decode(r, &b); err != nil {
		return err
	}
	d := &zhudun.Dept{Code: strings.TrimSpace(b.Code), Name: b.Name, Kind: b.Kind, ParentCode: b.ParentCode, RegionCode: b.RegionCode, Lon: b.Lon, Lat: b.Lat}
	if err := s.store.CreateDept(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) getDept(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.FindDeptByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) updateDept(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name       *string  `json:"name"`
		Kind       *string  `json:"kind"`
		ParentCode *string  `json:"parent_code"`
		Disabled   *bool    `json:"disabled"`
		RegionCode *string  `json:"region_code"`
		Lon        *float64 `json:"lon"`
		Lat        *float64 `json:"lat"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	d, err := s.store.UpdateDept(r.Context(), r.PathValue("code"), zhudun.DeptUpdate{Name: b.Name, Kind: b.Kind, ParentCode: b.ParentCode,
		Disabled: b.Disabled, RegionCode: b.RegionCode, Lon: b.Lon, Lat: b.Lat})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// --- users ---

func userFilter(r *http.Request) (zhudun.UserFilter, error) {
	q := r.URL.Query()
	off, err := queryInt(r, "offset", 0)
	if err != nil {
		return zhudun.UserFilter{}, err
	}
	lim, err := queryInt(r, "limit", 50)
	if err != nil {
		return zhudun.UserFilter{}, err
	}
	dis, err := queryBool(r, "disabled")
	if err != nil {
		return zhudun.UserFilter{}, err
	}
	return zhudun.UserFilter{Q: q.Get("q"), DeptCode: q.Get("dept"), Under: q.Get("under"), Role: q.Get("role"), Username: q.Get("username"),
		Phone: q.Get("phone"), IDNumber: q.Get("id_number"), Reason: q.Get("reason"), Disabled: dis, Offset: off, Limit: lim}, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	us, n, err := s.store.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(us, n))
	return nil
}

type newUserBody struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	DeptCode string `json:"dept_code"`
	Password string `json:"password"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var b newUserBody
	if err := decode(r, &b); err != nil {
		return err
	}
	u, err := s.store.CreateUser(r.Context(), zhudun.NewUser{Username: b.Username, Name: b.Name, DeptCode: b.DeptCode, Password: b.Password,
		Phone: b.Phone, IDNumber: b.IDNumber})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name     *string `json:"name"`
		DeptCode *string `json:"dept_code"`
		Disabled *bool   `json:"disabled"`
		Phone    *string `json:"phone"`
		IDNumber *string `json:"id_number"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	u, err := s.store.UpdateUser(r.Context(), id, zhudun.UserUpdate{Name: b.Name, DeptCode: b.DeptCode, Disabled: b.Disabled, Phone: b.Phone, IDNumber: b.IDNumber})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Password string `json:"password"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	if err := s.store.ResetPassword(r.Context(), id, b.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.Unlock(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unlockPIISearch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.UnlockPIISearch(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setUserRoles(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Roles []string `json:"roles"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	u, err := s.store.SetUserRoles(r.Context(), id, b.Roles)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) revealUserPII(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Reason string `json:"reason"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return err
	}
	p, err := s.store.RevealUserPII(r.Context(), id, b.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// --- roles ---

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.store.FindRoles(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(rs, len(rs)))
	return nil
}

type roleBody struct {
	ID    string              `json:"id"`
	Name  string              `json:"name"`
	Scope zhudun.Scope        `json:"scope"`
	Perms []zhudun.Permission `json:"perms"`
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request) error {
	var b roleBody
	if err := decode(r, &b); err != nil {
		return err
	}
	role := &zhudun.Role{ID: b.ID, Name: b.Name, Scope: b.Scope, Perms: b.Perms}
	if err := s.store.CreateRole(r.Context(), role); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, role)
	return nil
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name  *string              `json:"name"`
		Scope *zhudun.Scope        `json:"scope"`
		Perms *[]zhudun.Permission `json:"perms"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	role, err := s.store.UpdateRole(r.Context(), r.PathValue("id"), zhudun.RoleUpdate{Name: b.Name, Scope: b.Scope, Perms: b.Perms})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}

type permInfo struct {
	ID     zhudun.Permission `json:"id"`
	Area   string            `json:"area"`
	Action string            `json:"action"`
	Admin  bool              `json:"admin"`
}

func (s *Server) listPermissions(w http.ResponseWriter, r *http.Request) error {
	if _, err := zhudun.ScopeFor(r.Context(), zhudun.PermRoleRead); err != nil {
		return err
	}
	var out []permInfo
	for _, p := range zhudun.AllPermissions() {
		area, action, _ := strings.Cut(string(p), ":")
		out = append(out, permInfo{ID: p, Area: area, Action: action, Admin: zhudun.IsAdminPermission(p)})
	}
	writeJSON(w, http.StatusOK, newList(out, len(out)))
	return nil
}
