package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Names of the secret environment variables. Each has a twin with the suffix
// _FILE naming a file that holds the value (for Docker and Kubernetes
// secrets); setting both is an error.
const (
	EnvClientID     = "TNASSIGN_BANDWIDTH_CLIENT_ID"
	EnvClientSecret = "TNASSIGN_BANDWIDTH_CLIENT_SECRET"
	EnvUsername     = "TNASSIGN_BANDWIDTH_USERNAME"
	EnvPassword     = "TNASSIGN_BANDWIDTH_PASSWORD"
)

// maxSecretFileSize bounds what a *_FILE may hold; a credential is short.
const maxSecretFileSize = 64 << 10

// missingCredentials is the one-line reason tnassignd refuses to start
// without credentials.
const missingCredentials = "no Bandwidth credentials: set " + EnvClientID + " and " + EnvClientSecret +
	" (OAuth, or their _FILE twins), or " + EnvUsername + " and " + EnvPassword +
	" (legacy Basic), or run with --simulate"

// Secret is a credential value. It prints, formats and logs as "[redacted]"
// so that it cannot leak through a log line or an error message by accident;
// Reveal returns the value for the one place that needs it.
type Secret struct{ value string }

// NewSecret wraps v.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer without revealing the value.
func (s Secret) GoString() string { return "config.Secret([redacted])" }

// LogValue implements slog.LogValuer without revealing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText implements encoding.TextMarshaler without revealing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// AuthMethod says how tnassignd authenticates at Bandwidth.
type AuthMethod string

// The authentication methods.
const (
	AuthNone  AuthMethod = ""
	AuthOAuth AuthMethod = "oauth2-client-credentials"
	AuthBasic AuthMethod = "basic"
)

// Credentials are the Bandwidth credentials read from the environment.
type Credentials struct {
	// Method is the one tnassignd uses: OAuth when a client id and secret
	// are set, else Basic when a username and password are set.
	Method       AuthMethod
	ClientID     string
	ClientSecret Secret
	Username     string
	Password     Secret
	// BasicIgnored is true when Basic credentials were set too and OAuth
	// won.
	BasicIgnored bool
}

// Empty reports whether no credentials were found.
func (c Credentials) Empty() bool { return c.Method == AuthNone }

// LogValue implements slog.LogValuer: the method and the non-secret
// identifiers only.
func (c Credentials) LogValue() slog.Value {
	switch c.Method {
	case AuthOAuth:
		return slog.GroupValue(slog.String("method", string(c.Method)), slog.String("client_id", c.ClientID))
	case AuthBasic:
		return slog.GroupValue(slog.String("method", string(c.Method)), slog.String("username", c.Username))
	default:
		return slog.GroupValue(slog.String("method", "none"))
	}
}

// LoadCredentials reads the four secret variables (or their _FILE twins)
// through lookupEnv. A pair half set is an error naming the missing half;
// no credentials at all is not an error here (Empty reports it).
func LoadCredentials(lookupEnv func(string) (string, bool)) (Credentials, error) {
	vals := map[string]string{}
	for _, name := range []string{EnvClientID, EnvClientSecret, EnvUsername, EnvPassword} {
		v, err := readSecret(name, lookupEnv)
		if err != nil {
			return Credentials{}, err
		}
		vals[name] = v
	}
	oauth, err := pair(vals, EnvClientID, EnvClientSecret)
	if err != nil {
		return Credentials{}, err
	}
	basic, err := pair(vals, EnvUsername, EnvPassword)
	if err != nil {
		return Credentials{}, err
	}
	switch {
	case oauth:
		return Credentials{
			Method: AuthOAuth, ClientID: vals[EnvClientID], ClientSecret: NewSecret(vals[EnvClientSecret]),
			BasicIgnored: basic,
		}, nil
	case basic:
		return Credentials{Method: AuthBasic, Username: vals[EnvUsername], Password: NewSecret(vals[EnvPassword])}, nil
	default:
		return Credentials{}, nil
	}
}

// pair reports whether both halves are set and refuses exactly one.
func pair(vals map[string]string, a, b string) (bool, error) {
	switch hasA, hasB := vals[a] != "", vals[b] != ""; {
	case hasA && hasB:
		return true, nil
	case hasA:
		return false, fmt.Errorf("%s is set but %s is not: set both (or their _FILE twins)", a, b)
	case hasB:
		return false, fmt.Errorf("%s is set but %s is not: set both (or their _FILE twins)", b, a)
	default:
		return false, nil
	}
}

// readSecret returns the value of name, or the content of the file that
// name_FILE names (without its trailing newline). Error messages name the
// variable and never include the value.
func readSecret(name string, lookupEnv func(string) (string, bool)) (string, error) {
	v, hasValue := lookupEnv(name)
	path, hasFile := lookupEnv(name + "_FILE")
	switch {
	case hasValue && hasFile:
		return "", fmt.Errorf("both %s and %s_FILE are set: set only one", name, name)
	case hasFile:
		return readSecretFile(name+"_FILE", path)
	default:
		if strings.TrimSpace(v) != v {
			return "", fmt.Errorf("%s has leading or trailing white space; remove it", name)
		}
		return v, nil
	}
}

// readSecretFile reads one secret from path.
func readSecretFile(varName, path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%s is set but empty: name a file holding the secret", varName)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %v", varName, err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return "", fmt.Errorf("%s: reading %s: %v", varName, path, err)
	}
	if len(buf) > maxSecretFileSize {
		return "", fmt.Errorf("%s: %s is larger than %d bytes; it should hold only the secret", varName, path, maxSecretFileSize)
	}
	v := strings.TrimRight(string(buf), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty", varName, path)
	}
	if strings.ContainsAny(v, "\r\n") || strings.TrimSpace(v) != v {
		return "", fmt.Errorf("%s: %s must hold the secret alone on one line", varName, path)
	}
	return v, nil
}
