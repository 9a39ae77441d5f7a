// Package zhudun holds the words of the platform: departments, users, roles,
// permissions, data scope, audit entries and domain events, plus the one error
// type every layer speaks. It imports only the standard library; adapters
// (sqlite, postgres, natsbus, httpapi) implement or use what it declares.
package zhudun

import (
	"errors"
	"fmt"
)

// Error codes are stable strings: clients and tests match on them, so they
// never change meaning. httpapi maps each to one HTTP status.
const (
	EINVALID        = "EINVALID"        // input is malformed or breaks a rule
	ENOTFOUND       = "ENOTFOUND"       // no such object, or not visible to the caller
	ECONFLICT       = "ECONFLICT"       // the object exists or the change races another
	EFORBIDDEN      = "EFORBIDDEN"      // the caller lacks the permission or scope
	EUNAUTHORIZED   = "EUNAUTHORIZED"   // no valid session, or wrong user or password
	EOTPREQUIRED    = "EOTPREQUIRED"    // password right, second factor needed
	ELOCKED         = "ELOCKED"         // account locked after repeated failures
	ETOOMANY        = "ETOOMANY"        // client address throttled
	ETOOLARGE       = "ETOOLARGE"       // request body over the limit
	EMUSTCHANGE     = "EMUSTCHANGE"     // password must be changed before anything else
	EMUSTENROLL     = "EMUSTENROLL"     // the role requires TOTP; enrol before anything else
	EUNAVAILABLE    = "EUNAVAILABLE"    // a dependency (database, bus) is down
	EINTERNAL       = "EINTERNAL"       // a bug or an unexpected failure; details only in logs
	ENOTIMPLEMENTED = "ENOTIMPLEMENTED" // the backend does not support the operation
)

// Error is the one error type of zhudun. Message is safe to show to a user;
// Field names the offending input field when there is one. RetryAfter (seconds)
// is set for ELOCKED and ETOOMANY.
type Error struct {
	Code       string
	Message    string
	Field      string
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError builds an EINVALID error that names the offending field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for any error that is not an
// *Error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; internal errors are
// reported as "internal error" so that no detail leaks to a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
