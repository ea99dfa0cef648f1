package guard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParseTokens(t *testing.T) {
	t.Parallel()
	ts, err := ParseTokens([]byte(testTokensJSON()))
	if err != nil {
		t.Fatal(err)
	}
	b, ok := ts.Lookup(billingToken)
	if !ok || b.Name != "billing" {
		t.Fatalf("Lookup(billing) = %v, %v", b, ok)
	}
	if !b.AllowsAccount("9900000") || b.AllowsAccount("9900001") || !b.AllowsAction(ActionAssign) || b.AllowsAction(ActionUnassign) {
		t.Errorf("billing's grants are wrong: %+v", b)
	}
	if o, _ := ts.Lookup(opsToken); !o.AllowsAccount("123") {
		t.Error(`"*" does not grant every account`)
	}
	if _, ok := ts.Lookup(unknownToken); ok {
		t.Error("an unknown token was found")
	}
	if _, ok := ts.Lookup(""); ok {
		t.Error("the empty token was found")
	}
}

func TestParseTokensRefuses(t *testing.T) {
	t.Parallel()
	d := digest("x")
	entry := func(fields string) string { return `{"tokens":[{` + fields + `}]}` }
	tests := []struct{ name, json, want string }{
		{"not JSON", `{"tokens":`, "not a tokens file"},
		{"unknown field", entry(`"name":"a","sha256":"` + d + `","acounts":["1"],"actions":["read"]`), "unknown field"},
		{"trailing data", `{"tokens":[]} {}`, "data after"},
		{"no name", entry(`"sha256":"` + d + `","accounts":["1"],"actions":["read"]`), "name"},
		{"bad name", entry(`"name":"a b","sha256":"` + d + `","accounts":["1"],"actions":["read"]`), "name"},
		{"short digest", entry(`"name":"a","sha256":"abcd","accounts":["1"],"actions":["read"]`), "sha256"},
		{"no accounts", entry(`"name":"a","sha256":"` + d + `","actions":["read"]`), "accounts"},
		{"bad account", entry(`"name":"a","sha256":"` + d + `","accounts":["12x"],"actions":["read"]`), "accounts"},
		{"no actions", entry(`"name":"a","sha256":"` + d + `","accounts":["1"]`), "actions"},
		{"wildcard action", entry(`"name":"a","sha256":"` + d + `","accounts":["1"],"actions":["*"]`), "actions"},
		{"duplicate name", `{"tokens":[{"name":"a","sha256":"` + d + `","accounts":["1"],"actions":["read"]},{"name":"a","sha256":"` + digest("y") + `","accounts":["1"],"actions":["read"]}]}`, "used twice"},
		{"duplicate digest", `{"tokens":[{"name":"a","sha256":"` + d + `","accounts":["1"],"actions":["read"]},{"name":"b","sha256":"` + d + `","accounts":["1"],"actions":["read"]}]}`, "same sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTokens([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), d) {
				t.Errorf("the error repeats a digest: %v", err)
			}
		})
	}
}

// TestReloadKeepsTokensOnError: SIGHUP re-reads the file; a broken file
// keeps the tokens in force.
func TestReloadKeepsTokensOnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokens.json")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(testTokensJSON())
	s, err := OpenTokenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	write(`{"tokens":[{"name":"new","sha256":"` + digest("new-token") + `","accounts":["1"],"actions":["read"]}]}`)
	if n, err := s.Reload(); err != nil || n != 1 {
		t.Fatalf("Reload = %d, %v", n, err)
	}
	if _, ok := s.Tokens().Lookup(billingToken); ok {
		t.Error("a removed token still works")
	}
	write(`{"tokens": [ broken`)
	if _, err := s.Reload(); err == nil {
		t.Fatal("a broken file reloaded")
	}
	if _, ok := s.Tokens().Lookup("new-token"); !ok {
		t.Error("a failed reload dropped the tokens in force")
	}
}

// FuzzParseTokens: any file content parses or fails cleanly, never panics,
// and never with the digest in the error; a parsed set holds complete
// tokens with unique names and digests, grants only the three actions,
// survives a round trip through the file format unchanged, and finds a
// bearer token exactly when its SHA-256 is one of the digests.
func FuzzParseTokens(f *testing.F) {
	f.Add([]byte(testTokensJSON()), "tok-billing-1b2c3d")
	f.Add([]byte(`{"tokens":[]}`), "")
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"`+digest("a")+`","accounts":["*"],"actions":["read"]}]}`), "a")
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"`+strings.ToUpper(digest("a"))+`","accounts":["*","1"],"actions":["read","read"]}]}`), "a")
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"`+digest("a")+`","accounts":["1"],"actions":["read"]},{"name":"b","sha256":"`+digest("a")+`","accounts":["1"],"actions":["read"]}]}`), "a")
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"`+digest("a")+`","accounts":["1"],"actions":["read"],"admin":true}]}`), "a")
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"`+digest("a")+`","accounts":["1"],"actions":["read"]}]} {}`), "a")
	f.Add([]byte(`{"tokens":null}`), "x")
	sha256Field := sha256FieldPattern()
	f.Fuzz(func(t *testing.T, data []byte, bearer string) {
		ts, err := ParseTokens(data)
		if err != nil {
			for _, m := range sha256Field.FindAllStringSubmatch(string(data), -1) {
				if len(m[1]) >= 8 && strings.Contains(err.Error(), m[1]) {
					t.Fatalf("the error quotes a digest: %v", err)
				}
			}
			return
		}
		names, digests := map[string]bool{}, map[[sha256.Size]byte]bool{}
		for _, tok := range ts.list {
			if tok.Name == "" || (len(tok.accounts) == 0 && !tok.anyAccount) || len(tok.actions) == 0 {
				t.Fatalf("accepted an incomplete token %+v", tok)
			}
			if names[tok.Name] || digests[tok.digest] {
				t.Fatalf("accepted a duplicate name or digest: %q", tok.Name)
			}
			names[tok.Name], digests[tok.digest] = true, true
			for a := range tok.actions {
				if a != ActionAssign && a != ActionUnassign && a != ActionRead {
					t.Fatalf("granted the action %q", a)
				}
			}
		}
		again, err := ParseTokens(writeTokens(t, ts))
		if err != nil {
			t.Fatalf("a parsed file does not parse again: %v", err)
		}
		if !reflect.DeepEqual(ts, again) {
			t.Fatalf("round trip changed the tokens:\n%+v\n%+v", ts.list, again.list)
		}
		d := sha256.Sum256([]byte(bearer))
		found, ok := ts.Lookup(bearer)
		if ok != digests[d] || (ok && found.digest != d) {
			t.Fatalf("Lookup found %v (%v); the digest is in the file: %v", found, ok, digests[d])
		}
	})
}

// writeTokens writes ts in the tokens file format.
func writeTokens(t *testing.T, ts *Tokens) []byte {
	t.Helper()
	var f tokensFile
	f.Tokens = []tokenEntry{}
	for _, tok := range ts.list {
		e := tokenEntry{Name: tok.Name, SHA256: hex.EncodeToString(tok.digest[:])}
		if tok.anyAccount {
			e.Accounts = append(e.Accounts, AnyAccount)
		}
		e.Accounts = append(e.Accounts, slices.Sorted(maps.Keys(tok.accounts))...)
		for _, a := range slices.Sorted(maps.Keys(tok.actions)) {
			e.Actions = append(e.Actions, string(a))
		}
		f.Tokens = append(f.Tokens, e)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sha256FieldPattern finds the sha256 values of a tokens file, roughly.
func sha256FieldPattern() *regexp.Regexp { return regexp.MustCompile(`"sha256"\s*:\s*"([^"\\]*)"`) }
