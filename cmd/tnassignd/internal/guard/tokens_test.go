package guard

import (
	"os"
	"path/filepath"
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
// and a parsed set only finds tokens by their digest.
func FuzzParseTokens(f *testing.F) {
	f.Add([]byte(testTokensJSON()))
	f.Add([]byte(`{"tokens":[]}`))
	f.Add([]byte(`{"tokens":[{"name":"a","sha256":"` + digest("a") + `","accounts":["*"],"actions":["read"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ParseTokens(data)
		if err != nil {
			return
		}
		for _, tok := range ts.list {
			if tok.Name == "" || (len(tok.accounts) == 0 && !tok.anyAccount) || len(tok.actions) == 0 {
				t.Fatalf("accepted an incomplete token %+v", tok)
			}
		}
	})
}
