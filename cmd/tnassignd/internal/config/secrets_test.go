package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        func(t *testing.T) env
		wantMethod AuthMethod
		wantErr    string
		check      func(t *testing.T, c Credentials)
	}{
		{name: "none", env: func(*testing.T) env { return env{} }, wantMethod: AuthNone},
		{name: "oauth", env: func(*testing.T) env { return oauthEnv() }, wantMethod: AuthOAuth,
			check: func(t *testing.T, c Credentials) {
				if c.ClientID != "client-id" || c.ClientSecret.Reveal() != "s3cret-value" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "basic", env: func(*testing.T) env { return env{EnvUsername: "api-user", EnvPassword: "pw"} }, wantMethod: AuthBasic,
			check: func(t *testing.T, c Credentials) {
				if c.Username != "api-user" || c.Password.Reveal() != "pw" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "oauth wins over basic", env: func(*testing.T) env { return with(oauthEnv(), EnvUsername, "u", EnvPassword, "p") },
			wantMethod: AuthOAuth, check: func(t *testing.T, c Credentials) {
				if !c.BasicIgnored {
					t.Error("BasicIgnored not set")
				}
			}},
		{name: "secret from file", env: func(t *testing.T) env {
			return env{EnvClientID: "id", EnvClientSecret + "_FILE": writeFile(t, "from-file\n")}
		}, wantMethod: AuthOAuth, check: func(t *testing.T, c Credentials) {
			if c.ClientSecret.Reveal() != "from-file" {
				t.Errorf("secret %q, want the file's line without its newline", c.ClientSecret.Reveal())
			}
		}},
		{name: "id from file, CRLF", env: func(t *testing.T) env {
			return env{EnvClientID + "_FILE": writeFile(t, "file-id\r\n"), EnvClientSecret: "s"}
		}, wantMethod: AuthOAuth, check: func(t *testing.T, c Credentials) {
			if c.ClientID != "file-id" {
				t.Errorf("id %q", c.ClientID)
			}
		}},
		{name: "half oauth", env: func(*testing.T) env { return env{EnvClientID: "id"} },
			wantErr: EnvClientID + " is set but " + EnvClientSecret + " is not"},
		{name: "half basic", env: func(*testing.T) env { return env{EnvPassword: "pw"} },
			wantErr: EnvPassword + " is set but " + EnvUsername + " is not"},
		{name: "both value and file", env: func(t *testing.T) env {
			return with(oauthEnv(), EnvClientSecret+"_FILE", writeFile(t, "x"))
		}, wantErr: "both " + EnvClientSecret + " and " + EnvClientSecret + "_FILE are set"},
		{name: "missing file", env: func(*testing.T) env {
			return env{EnvClientID: "id", EnvClientSecret + "_FILE": "/nonexistent/secret"}
		}, wantErr: EnvClientSecret + "_FILE: open /nonexistent/secret"},
		{name: "empty file", env: func(t *testing.T) env {
			return env{EnvClientID: "id", EnvClientSecret + "_FILE": writeFile(t, "\n")}
		}, wantErr: "is empty"},
		{name: "two lines in file", env: func(t *testing.T) env {
			return env{EnvClientID: "id", EnvClientSecret + "_FILE": writeFile(t, "a\nb\n")}
		}, wantErr: "must hold the secret alone on one line"},
		{name: "white space", env: func(*testing.T) env { return env{EnvClientID: "id", EnvClientSecret: " s "} },
			wantErr: EnvClientSecret + " has leading or trailing white space"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := LoadCredentials(tc.env(t).lookup)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Method != tc.wantMethod {
				t.Errorf("method %q, want %q", c.Method, tc.wantMethod)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestMissingCredentialsNamesWhatToSet: without credentials or --simulate
// the error names the variables to set.
func TestMissingCredentialsNamesWhatToSet(t *testing.T) {
	t.Parallel()
	_, err := Load([]string{"--accounts", "9900000"}, env{}.lookup, nil)
	if err == nil {
		t.Fatal("started without credentials")
	}
	for _, want := range []string{EnvClientID, EnvClientSecret, "--simulate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not name %s", err, want)
		}
	}
}

// TestSecretsNeverPrint: every way of printing or logging credentials
// hides the secret halves.
func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-value"
	c := Credentials{Method: AuthOAuth, ClientID: "id", ClientSecret: NewSecret(secret), Password: NewSecret(secret)}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("creds", "auth", c, "secret", c.ClientSecret, "struct", fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Password))
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(j)
	if strings.Contains(buf.String(), secret) {
		t.Errorf("secret leaked: %s", buf.String())
	}
	if !strings.Contains(buf.String(), `"client_id":"id"`) {
		t.Errorf("log lacks the (non-secret) client id: %s", buf.String())
	}
}
