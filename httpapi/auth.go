package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/zhudun/zhudun"
)

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
}

type loginResponse struct {
	Token              string `json:"token"`
	MustChangePassword bool   `json:"must_change_password"`
	MustEnrollTOTP     bool   `json:"must_enroll_totp"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var b loginBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if len(b.Username) > 64 || len(b.Password) > 256 || len(b.OTP) > 16 {
		return zhudun.Errorf(zhudun.EUNAUTHORIZED, "wrong username or password")
	}
	sess, err := s.store.Login(r.Context(), zhudun.LoginRequest{Username: b.Username, Password: b.Password, OTP: b.OTP,
		ClientAddr: clientAddr(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.Token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, loginResponse{Token: sess.Token, MustChangePassword: sess.MustChangePassword, MustEnrollTOTP: sess.MustEnrollTOTP})
	return nil
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1, Expires: time.Unix(0, 0)})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Logout(r.Context(), tokenFrom(r.Context())); err != nil {
		return err
	}
	s.clearCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	if err := s.store.ChangePassword(r.Context(), tokenFrom(r.Context()), b.Old, b.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User    *zhudun.User                       `json:"user"`
	Dept    *zhudun.Dept                       `json:"dept"`
	Perms   map[zhudun.Permission]zhudun.Scope `json:"perms"`
	Session meSession                          `json:"session"`
	// RoleNames names the user's roles: custom roles are shown by the name
	// the security administrator gave them, not their id.
	RoleNames map[string]string `json:"role_names"`
	// PreviousLogin is the sign-in before this session (null: none).
	PreviousLogin *zhudun.LoginRecord `json:"previous_login"`
}

type meSession struct {
	MustChangePassword bool      `json:"must_change_password"`
	MustEnrollTOTP     bool      `json:"must_enroll_totp"`
	IdleTimeoutSeconds int       `json:"idle_timeout_seconds"`
	CreatedAt          time.Time `json:"created_at"`
}

// me answers who the caller is. It reads the caller's own records as the
// system, since an officer has no user:read and still must see itself.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	c := zhudun.CallerFrom(r.Context())
	sys := zhudun.WithCaller(r.Context(), zhudun.SystemCaller("me"))
	u, err := s.store.FindUserByID(sys, c.UserID)
	if err != nil {
		return err
	}
	d, err := s.store.FindDeptByCode(sys, u.DeptCode)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if rs, err := s.store.FindRoles(sys); err == nil {
		for _, role := range rs {
			if slices.Contains(u.Roles, role.ID) {
				names[role.ID] = role.Name
			}
		}
	}
	prev, err := s.store.PreviousLogin(r.Context())
	if err != nil {
		return err
	}
	sess := sessionFrom(r.Context())
	writeJSON(w, http.StatusOK, meResponse{User: u, Dept: d, Perms: c.Perms, RoleNames: names, PreviousLogin: prev, Session: meSession{
		MustChangePassword: sess.MustChangePassword, MustEnrollTOTP: sess.MustEnrollTOTP,
		IdleTimeoutSeconds: int(zhudun.SessionIdle / time.Second), CreatedAt: sess.CreatedAt}})
	return nil
}

func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	e, err := s.store.BeginTOTP(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Code string `json:"code"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	if err := s.store.ConfirmTOTP(r.Context(), b.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
