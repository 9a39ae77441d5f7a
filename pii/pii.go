// Package pii holds the platform's rules for personal information: how a
// resident ID number or a mobile number is recognised and written in one
// canonical form, and how it is masked for people who may not see it whole.
//
// Canonical forms matter beyond tidiness: gmcrypto builds blind indexes over
// the normalised value, so two spellings of one number must normalise to the
// same string or a search would miss a match. Error messages never repeat the
// input, because errors reach logs and personal information must not.
//
// The package imports only the standard library and the root package.
package pii
