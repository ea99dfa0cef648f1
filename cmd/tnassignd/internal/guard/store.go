package guard

import (
	"sync/atomic"
)

// TokenStore holds the tokens of --auth-tokens-file and re-reads the file on
// demand (tnassignd does on SIGHUP). A reload that fails keeps the tokens in
// force, so a bad edit never locks every caller out or lets anyone in.
type TokenStore struct {
	path    string
	current atomic.Pointer[Tokens]
}

// OpenTokenStore reads the tokens file at path.
func OpenTokenStore(path string) (*TokenStore, error) {
	ts, err := ReadTokensFile(path)
	if err != nil {
		return nil, err
	}
	s := &TokenStore{path: path}
	s.current.Store(ts)
	return s, nil
}

// NewTokenStore serves fixed tokens; Reload keeps them. For tests and
// embedders.
func NewTokenStore(ts *Tokens) *TokenStore {
	s := &TokenStore{}
	s.current.Store(ts)
	return s
}

// Path returns the file the store reads, "" for fixed tokens.
func (s *TokenStore) Path() string { return s.path }

// Tokens returns the tokens in force.
func (s *TokenStore) Tokens() *Tokens { return s.current.Load() }

// Reload re-reads the file. On success the new tokens are in force for
// every call that starts afterwards, and it returns their number; on error
// the tokens in force stay.
func (s *TokenStore) Reload() (int, error) {
	if s.path == "" {
		return s.Tokens().Len(), nil
	}
	ts, err := ReadTokensFile(s.path)
	if err != nil {
		return 0, err
	}
	s.current.Store(ts)
	return ts.Len(), nil
}
