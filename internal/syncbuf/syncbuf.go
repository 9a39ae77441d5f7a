// Package syncbuf is a buffer that is safe to write from one goroutine
// (a child process's output, a logger) while a test reads it from another.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer collects writes; String returns everything written so far.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
