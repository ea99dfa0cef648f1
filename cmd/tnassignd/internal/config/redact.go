package config

import (
	"net/url"
	"strings"
)

// redacted replaces a secret in a ledger URL.
const redacted = "xxxxx"

// unparsableRedacted stands for a whole URL or ledger value that could not be read
// well enough to tell its secrets from the rest: it is never echoed.
const unparsableRedacted = "[unparsable URL redacted]"

// redactURL returns the ledger value s fit for logs and error messages, in
// each form PostgreSQL drivers (pgx) and SQLite accept:
//
//   - a URL: the password of its user info, the values of its secret query
//     parameters (see isSecretKey) and any fragment become xxxxx; an opaque
//     part ("postgres:user:pw@host") is replaced whole;
//   - a keyword/value string ("host=db user=u password=…"): the values of
//     its secret keys become xxxxx;
//   - anything else, or a string that does not parse: replaced whole.
//
// It errs on the side of hiding: a value it cannot read is never echoed.
func redactURL(s string) string {
	out, _ := redact(s)
	return out
}

// scrub replaces, in msg, the ledger value s and every secret it holds by
// their redacted forms: for error messages of code that quotes the value
// as it was given (the ledger drivers).
func scrub(msg, s string) string {
	out, secrets := redact(s)
	if s != "" {
		msg = strings.ReplaceAll(msg, s, out)
	}
	for _, secret := range secrets {
		if len(secret) >= minScrubbed {
			msg = strings.ReplaceAll(msg, secret, redacted)
		}
	}
	return msg
}

// minScrubbed is the shortest secret scrub looks for on its own: a shorter
// one would garble every message that happens to contain it (and is no
// secret worth the name).
const minScrubbed = 4

// redact is redactURL, also returning the secrets it hid, in the forms
// they may be quoted in (as given and decoded).
func redact(s string) (string, []string) {
	if !strings.Contains(s, "://") && strings.Contains(s, "=") {
		if out, secrets, ok := redactKeywordValue(s); ok {
			return out, secrets
		}
		return unparsableRedacted, []string{s}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return unparsableRedacted, []string{s}
	}
	var secrets []string
	if u.Opaque != "" {
		secrets = append(secrets, u.Opaque)
		u.Opaque = redacted
	}
	if u.User != nil {
		if pw, has := u.User.Password(); has {
			secrets = append(secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
			u.User = url.UserPassword(u.User.Username(), redacted)
		}
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			secrets = append(secrets, u.RawQuery)
			u.RawQuery = redacted
		} else {
			for k, vs := range q {
				if isSecretKey(k) {
					for _, v := range vs {
						secrets = append(secrets, v, url.QueryEscape(v))
					}
					q[k] = []string{redacted}
				}
			}
			u.RawQuery = q.Encode()
		}
	}
	if u.Fragment != "" || u.RawFragment != "" {
		secrets = append(secrets, u.Fragment, u.EscapedFragment())
		u.Fragment, u.RawFragment = redacted, ""
	}
	if len(secrets) == 0 {
		return s, nil // as given: u.String() would normalize it ("memory://" → "memory:")
	}
	return u.String(), secrets
}

// isSecretKey reports the connection parameters whose value is, or leads
// to, a secret: password, sslpassword, passfile, sslkey, and anything named
// like a secret, token, key or credential. Matching is by
// substring and case-insensitive, so a new driver parameter with such a name
// is hidden too.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "pwd", "secret", "token", "key", "credential", "auth"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// redactKeywordValue redacts a libpq keyword/value connection string
// (key=value pairs separated by spaces; values may be single-quoted with
// backslash escapes), returning the secret values it hid. ok is false when
// s is not one.
func redactKeywordValue(s string) (redactedForm string, secrets []string, ok bool) {
	var out []string
	rest := strings.TrimSpace(s)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return "", nil, false
		}
		key := strings.TrimSpace(rest[:eq])
		if key == "" || strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return "", nil, false
		}
		rest = strings.TrimLeft(rest[eq+1:], " \t\r\n")
		value, after, ok := cutValue(rest)
		if !ok {
			return "", nil, false
		}
		if isSecretKey(key) {
			secrets = append(secrets, value, strings.Trim(value, "'"))
			value = redacted
			if !isKnownSecretKey(key) {
				// Perhaps a typo that ran the secret into the key.
				secrets = append(secrets, key)
				key = redacted
			}
		}
		out = append(out, key+"="+value)
		rest = strings.TrimLeft(after, " \t\r\n")
	}
	if len(out) == 0 {
		return "", nil, false
	}
	return strings.Join(out, " "), secrets, true
}

// isKnownSecretKey reports libpq's keywords whose values isSecretKey hides;
// any other key isSecretKey matches is hidden with its value.
func isKnownSecretKey(k string) bool {
	switch k {
	case "password", "sslpassword", "passfile", "sslkey":
		return true
	}
	return false
}

// cutValue splits the value at the start of s (quoted or bare) from what
// follows; ok is false for an unterminated quote.
func cutValue(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		end := strings.IndexAny(s, " \t\r\n")
		if end < 0 {
			return s, "", true
		}
		return s[:end], s[end:], true
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'':
			return s[:i+1], s[i+1:], true
		}
	}
	return "", "", false
}
