package guard

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Action is what a call does with an account's numbers.
type Action string

// The actions a token may be granted.
const (
	ActionAssign   Action = "assign"
	ActionUnassign Action = "unassign"
	ActionRead     Action = "read"
)

// AnyAccount in a token's accounts grants every account the deployment serves
// (the --accounts allow-list still applies).
const AnyAccount = "*"

// maxTokensFileSize bounds the tokens file; each entry is a few hundred bytes.
const maxTokensFileSize = 4 << 20

// Token is one caller's entry in the tokens file. It never holds the token
// itself, only its digest.
type Token struct {
	// Name identifies the caller in logs and limits; it is not secret.
	Name string
	// digest is the SHA-256 of the bearer token.
	digest [sha256.Size]byte
	// accounts are the account ids the token may act on; anyAccount grants
	// them all.
	accounts   map[string]bool
	anyAccount bool
	// actions are the actions granted.
	actions map[Action]bool
}

// AllowsAccount reports whether the token may act on the account.
func (t *Token) AllowsAccount(id string) bool { return t.anyAccount || t.accounts[id] }

// AllowsAction reports whether the token was granted the action.
func (t *Token) AllowsAction(a Action) bool { return t.actions[a] }

// Tokens is a parsed tokens file: an immutable set of tokens.
type Tokens struct {
	list []*Token
}

// Len returns the number of tokens.
func (ts *Tokens) Len() int { return len(ts.list) }

// Lookup returns the token whose digest is the SHA-256 of bearer. Every
// entry is compared, in constant time, whatever matches: how long a lookup
// takes says nothing about which entry, if any, matched.
func (ts *Tokens) Lookup(bearer string) (*Token, bool) {
	d := sha256.Sum256([]byte(bearer))
	var found *Token
	for _, t := range ts.list {
		if subtle.ConstantTimeCompare(d[:], t.digest[:]) == 1 {
			found = t
		}
	}
	return found, found != nil
}

// tokensFile is the JSON shape of --auth-tokens-file.
type tokensFile struct {
	Tokens []tokenEntry `json:"tokens"`
}

type tokenEntry struct {
	Name     string   `json:"name"`
	SHA256   string   `json:"sha256"`
	Accounts []string `json:"accounts"`
	Actions  []string `json:"actions"`
}

// ReadTokensFile reads and parses the tokens file at path.
func ReadTokensFile(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokensFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	if len(data) > maxTokensFileSize {
		return nil, fmt.Errorf("tokens file %s: larger than %d bytes", path, maxTokensFileSize)
	}
	ts, err := ParseTokens(data)
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return ts, nil
}

// ParseTokens parses a tokens file:
//
//	{"tokens":[{"name":"billing","sha256":"<hex>","accounts":["9900000"],"actions":["assign","read"]}]}
//
// Every entry needs a unique name, the 64-hex-digit SHA-256 of its token
// (unique too), at least one account (digits, or "*" for every account the
// deployment serves) and at least one action (assign, unassign, read; there
// is no wildcard, so that the right to unassign is always spelt out).
// Unknown fields are errors, so a misspelt key cannot silently change what a
// token may do. Errors name the entry, never a digest.
func ParseTokens(data []byte) (*Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f tokensFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a tokens file: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not a tokens file: data after the JSON object")
	}
	ts := &Tokens{}
	names := map[string]bool{}
	digests := map[[sha256.Size]byte]string{}
	for i, e := range f.Tokens {
		t, err := parseEntry(e)
		if err != nil {
			return nil, fmt.Errorf("token %d (%q): %w", i+1, e.Name, err)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("token %d: the name %q is used twice", i+1, t.Name)
		}
		if other, dup := digests[t.digest]; dup {
			return nil, fmt.Errorf("token %d (%q): same sha256 as %q", i+1, t.Name, other)
		}
		names[t.Name], digests[t.digest] = true, t.Name
		ts.list = append(ts.list, t)
	}
	return ts, nil
}

// parseEntry validates one entry.
func parseEntry(e tokenEntry) (*Token, error) {
	if e.Name == "" || len(e.Name) > 64 || strings.TrimFunc(e.Name, isNameRune) != "" {
		return nil, errors.New("name: want 1 to 64 letters, digits, '.', '_' or '-'")
	}
	raw, err := hex.DecodeString(e.SHA256)
	if err != nil || len(raw) != sha256.Size {
		return nil, errors.New("sha256: want the 64 hex digits of the token's SHA-256 (printf %s \"$TOKEN\" | sha256sum)")
	}
	t := &Token{Name: e.Name, accounts: map[string]bool{}, actions: map[Action]bool{}}
	copy(t.digest[:], raw)
	if len(e.Accounts) == 0 {
		return nil, errors.New(`accounts: want at least one account id, or "*"`)
	}
	for _, a := range e.Accounts {
		switch {
		case a == AnyAccount:
			t.anyAccount = true
		case a != "" && len(a) <= 20 && strings.Trim(a, "0123456789") == "":
			t.accounts[a] = true
		default:
			return nil, fmt.Errorf(`accounts: %q is not an account id (digits) or "*"`, a)
		}
	}
	if len(e.Actions) == 0 {
		return nil, errors.New("actions: want at least one of assign, unassign, read")
	}
	for _, a := range e.Actions {
		if !slices.Contains([]Action{ActionAssign, ActionUnassign, ActionRead}, Action(a)) {
			return nil, fmt.Errorf("actions: %q is not assign, unassign or read", a)
		}
		t.actions[Action(a)] = true
	}
	return t, nil
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}
