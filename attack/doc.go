// Package attack holds the outside attack battery of issues 19 and 20 as
// tests: each boots `zhudun serve --demo` in-process on SQLite with the
// embedded bus and on PostgreSQL with the machine's NATS, and attacks it
// over HTTP, the bus and the files on disk as an outsider would. A check
// that regresses fails `make test`.
package attack
